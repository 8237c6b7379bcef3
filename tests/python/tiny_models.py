# SPDX-License-Identifier: GPL-3.0-or-later
"""Two tiny transformers with the module names of Hugging Face's GPT-2 and
Llama, built from torch alone (transformers is not in Debian 12), that keep
their own attention probabilities and value vectors so a test can compare
the exporter's file with them.

GPT-2-like: learned positions, a fused c_attn projection (queries, keys,
values), the softmax passed through attn_dropout. Llama-like: RMSNorm,
rotary position embeddings on queries and keys, grouped-query attention
(each kv head shared by n_heads / n_kv_heads query heads), self_attn
returning its weights as its second output when asked, as eager attention
does.
"""

import math
from types import SimpleNamespace

import torch
from torch import nn


class Conv1D(nn.Module):
    """GPT-2's linear layer: weight [in, out]."""

    def __init__(self, n_out, n_in):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_in, n_out) * 0.2)
        self.bias = nn.Parameter(torch.randn(n_out) * 0.1)

    def forward(self, x):
        return x @ self.weight + self.bias


def causal_softmax(scores):
    t = scores.shape[-1]
    mask = torch.ones(t, t, dtype=torch.bool).triu(1)
    scores = scores.masked_fill(mask, torch.finfo(scores.dtype).min)
    return torch.softmax(scores, dim=-1)


class GPT2Attention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads, self.head_dim = n_heads, d_model // n_heads
        self.c_attn = Conv1D(3 * d_model, d_model)
        self.c_proj = Conv1D(d_model, d_model)
        self.attn_dropout = nn.Dropout(0.1)
        self.own = {}

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.c_attn(x).split(d, dim=2)
        q, k, v = (z.view(b, t, self.n_heads, self.head_dim).transpose(1, 2) for z in (q, k, v))
        probs = causal_softmax(q @ k.transpose(-1, -2) / math.sqrt(self.head_dim))
        self.own = {"probs": probs.detach().clone(), "values": v.detach().clone()}
        probs = self.attn_dropout(probs)
        z = probs @ v
        self.own["z"] = z.detach().clone()
        return self.c_proj(z.transpose(1, 2).reshape(b, t, d))


class GPT2Block(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d_model)
        self.attn = GPT2Attention(d_model, n_heads)
        self.ln_2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(),
                                 nn.Linear(4 * d_model, d_model))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2Model(nn.Module):
    def __init__(self, vocab, d_model, n_heads, n_layers, n_positions):
        super().__init__()
        self.wte = nn.Embedding(vocab, d_model)
        self.wpe = nn.Embedding(n_positions, d_model)
        self.h = nn.ModuleList(GPT2Block(d_model, n_heads) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for block in self.h:
            x = block(x)
        return self.ln_f(x)


class GPT2LMHeadModel(nn.Module):
    def __init__(self, vocab=50, d_model=32, n_heads=4, n_layers=3, n_positions=64):
        super().__init__()
        self.config = SimpleNamespace(num_hidden_layers=n_layers, num_attention_heads=n_heads,
                                      hidden_size=d_model, bos_token_id=0,
                                      _name_or_path="tiny-gpt2")
        self.transformer = GPT2Model(vocab, d_model, n_heads, n_layers, n_positions)
        self.lm_head = nn.Linear(d_model, vocab, bias=False)

    def forward(self, ids):
        return self.lm_head(self.transformer(ids))

    def attention_modules(self):
        return [block.attn for block in self.transformer.h]


class RMSNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * self.weight


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


def rope(x, base=10000.0):
    """x: [batch, heads, seq, head_dim]."""
    t, d = x.shape[-2], x.shape[-1]
    inv = 1.0 / base ** (torch.arange(0, d, 2, dtype=torch.float32) / d)
    angles = torch.arange(t, dtype=torch.float32)[:, None] * inv[None, :]
    emb = torch.cat((angles, angles), dim=-1)
    return x * emb.cos().to(x.dtype) + rotate_half(x) * emb.sin().to(x.dtype)


class LlamaAttention(nn.Module):
    def __init__(self, d_model, n_heads, n_kv_heads):
        super().__init__()
        self.n_heads, self.n_kv, self.head_dim = n_heads, n_kv_heads, d_model // n_heads
        self.q_proj = nn.Linear(d_model, n_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d_model, n_kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d_model, n_kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(n_heads * self.head_dim, d_model, bias=False)
        self.own = {}

    def forward(self, x, output_attentions=False):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.n_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.n_kv, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.n_kv, self.head_dim).transpose(1, 2)
        q, k = rope(q), rope(k)
        group = self.n_heads // self.n_kv
        # repeat_kv: query head h reads kv head h // group.
        k_all = k.repeat_interleave(group, dim=1)
        v_all = v.repeat_interleave(group, dim=1)
        probs = causal_softmax(q @ k_all.transpose(-1, -2) / math.sqrt(self.head_dim))
        z = probs @ v_all
        self.own = {"probs": probs.detach().clone(), "values": v.detach().clone(),
                    "z": z.detach().clone()}
        out = self.o_proj(z.transpose(1, 2).reshape(b, t, -1))
        return out, (probs if output_attentions else None)


class LlamaDecoderLayer(nn.Module):
    def __init__(self, d_model, n_heads, n_kv_heads):
        super().__init__()
        self.input_layernorm = RMSNorm(d_model)
        self.self_attn = LlamaAttention(d_model, n_heads, n_kv_heads)
        self.post_attention_layernorm = RMSNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 3 * d_model, bias=False), nn.SiLU(),
                                 nn.Linear(3 * d_model, d_model, bias=False))

    def forward(self, x, output_attentions=False):
        a, weights = self.self_attn(self.input_layernorm(x), output_attentions)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), weights


class LlamaModel(nn.Module):
    def __init__(self, vocab, d_model, n_heads, n_kv_heads, n_layers):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, d_model)
        self.layers = nn.ModuleList(LlamaDecoderLayer(d_model, n_heads, n_kv_heads)
                                    for _ in range(n_layers))
        self.norm = RMSNorm(d_model)


class LlamaForCausalLM(nn.Module):
    def __init__(self, vocab=60, d_model=32, n_heads=4, n_kv_heads=2, n_layers=3):
        super().__init__()
        self.config = SimpleNamespace(num_hidden_layers=n_layers, num_attention_heads=n_heads,
                                      num_key_value_heads=n_kv_heads, hidden_size=d_model,
                                      bos_token_id=1, _name_or_path="tiny-llama")
        self.model = LlamaModel(vocab, d_model, n_heads, n_kv_heads, n_layers)
        self.lm_head = nn.Linear(d_model, vocab, bias=False)
        self.last_attentions = None

    def forward(self, ids, output_attentions=False):
        x = self.model.embed_tokens(ids)
        # Like Hugging Face: every layer's weights are collected and
        # returned with the logits.
        attentions = []
        for layer in self.model.layers:
            x, weights = layer(x, output_attentions)
            attentions.append(weights)
        self.last_attentions = attentions
        return self.lm_head(self.model.norm(x)), tuple(attentions)

    def attention_modules(self):
        return [layer.self_attn for layer in self.model.layers]
