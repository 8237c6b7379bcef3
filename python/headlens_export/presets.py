# SPDX-License-Identifier: GPL-3.0-or-later
"""Where a model keeps its attention weights and value vectors.

A preset names, with ``{layer}`` for the layer index, the module whose
forward pass shows each layer's attention probabilities and the module whose
forward pass shows its value vectors, and says which part of that module's
input or output they are and how the values are laid out.
"""

from dataclasses import dataclass, field
from typing import Dict


# How the value vectors sit in the tensor a value source yields.
#   "proj":        [batch, seq, n_kv_heads * head_dim] (a v_proj Linear)
#   "heads":       [batch, seq, n_kv_heads, head_dim]   (TransformerLens hook_v)
#   "fused_qkv":   [batch, seq, (n_heads + 2 * n_kv_heads) * head_dim], the
#                  queries, then the keys, then the values (GPT-2's c_attn)
#   "interleaved_qkv": [batch, seq, n_heads * 3 * head_dim], per head its
#                  query, key and value (GPT-NeoX's query_key_value)
VALUE_LAYOUTS = ("proj", "heads", "fused_qkv", "interleaved_qkv")

# Which part of a hooked module's forward pass holds the tensor.
#   "output", "output[1]" (the second element of a tuple output), "input"
#   (the first positional input).
TAKE = ("output", "output[1]", "input")


@dataclass(frozen=True)
class Preset:
    """The module names of one family of models."""

    name: str
    attention: str
    attention_take: str
    values: str
    values_take: str
    values_layout: str
    # Keyword arguments the model must be called with for the attention
    # source to show the weights (Hugging Face: output_attentions=True).
    call_kwargs: Dict[str, object] = field(default_factory=dict)
    # What the model must be loaded with; only said in error messages.
    requirement: str = ""
    # Whether test_export.py exercises the preset on a model with these
    # module names, or it is documented only.
    tested: bool = False

    def __post_init__(self):
        if self.values_layout not in VALUE_LAYOUTS:
            raise ValueError(f"values_layout is {self.values_layout!r}, expected one of {VALUE_LAYOUTS}")
        for take in (self.attention_take, self.values_take):
            if take not in TAKE:
                raise ValueError(f"take is {take!r}, expected one of {TAKE}")


_EAGER = 'load the model with attn_implementation="eager"'

_LLAMA = dict(
    attention="model.layers.{layer}.self_attn",
    attention_take="output[1]",
    values="model.layers.{layer}.self_attn.v_proj",
    values_take="output",
    values_layout="proj",
    call_kwargs={"output_attentions": True},
    requirement=_EAGER,
)

PRESETS = {
    # Hugging Face GPT2LMHeadModel / GPT2Model: the fused c_attn projection
    # (queries, keys, values) and the attention dropout, whose input is the
    # softmax (eager attention).
    "hf-gpt2": Preset(
        name="hf-gpt2",
        attention="transformer.h.{layer}.attn.attn_dropout",
        attention_take="input",
        values="transformer.h.{layer}.attn.c_attn",
        values_take="output",
        values_layout="fused_qkv",
        requirement=_EAGER,
        tested=True,
    ),
    # Hugging Face LlamaForCausalLM: self_attn returns its weights as the
    # second output when called with output_attentions=True (eager); v_proj
    # gives the values before any rotary embedding (which turns only queries
    # and keys).
    "hf-llama": Preset(name="hf-llama", tested=True, **_LLAMA),
    # Mistral and Qwen2 name their modules as Llama does.
    "hf-mistral": Preset(name="hf-mistral", **_LLAMA),
    "hf-qwen2": Preset(name="hf-qwen2", **_LLAMA),
    # Hugging Face GPTNeoXForCausalLM (Pythia): one query_key_value
    # projection with each head's query, key and value side by side.
    "hf-gpt-neox": Preset(
        name="hf-gpt-neox",
        attention="gpt_neox.layers.{layer}.attention",
        attention_take="output[1]",
        values="gpt_neox.layers.{layer}.attention.query_key_value",
        values_take="output",
        values_layout="interleaved_qkv",
        call_kwargs={"output_attentions": True},
        requirement=_EAGER,
    ),
    # TransformerLens HookedTransformer: the hook points are modules whose
    # output is the tensor (pattern [batch, head, query, key], v [batch, pos,
    # kv head, d_head]).
    "transformerlens": Preset(
        name="transformerlens",
        attention="blocks.{layer}.attn.hook_pattern",
        attention_take="output",
        values="blocks.{layer}.attn.hook_v",
        values_take="output",
        values_layout="heads",
    ),
}
