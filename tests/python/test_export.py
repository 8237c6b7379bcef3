# SPDX-License-Identifier: GPL-3.0-or-later
"""The PyTorch exporter (python/headlens_export) on tiny models built here:
what it writes equals the model's own attention and values, the file is
valid for Headlens (`headlens-cli info`) and `headlens-cli analyze` reads
it; GQA mapping, BOS check, bfloat16, float16 storage, errors.

Usage: test_export.py HEADLENS_CLI (PYTHONPATH has python/ and tests/python/)
"""

import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np
import torch

import tiny_models
from headlens_export import PRESETS, ExportError, Preset, export

CLI = None


def run_cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True)


def samples(n, t, vocab, bos, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(2, vocab, (n, t), generator=g)
    ids[:, 0] = bos
    return ids


def own_records(model, ids, batch_size=1):
    """The model's own probabilities, values and head outputs per layer, from
    forward passes without any hook over the batches the export ran (a
    batch's shape can change the last bits of low-precision matmuls)."""
    records = []
    with torch.no_grad():
        for start in range(0, len(ids), batch_size):
            model(ids[start:start + batch_size])
            records.append([dict(m.own) for m in model.attention_modules()])
    return [{key: torch.cat([batch[layer][key] for batch in records])
             for key in records[0][layer]} for layer in range(len(records[0]))]


class ExportTestCase(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(7)
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def assert_valid_for_headlens(self, path):
        info = run_cli("info", path)
        self.assertEqual(info.returncode, 0, info.stdout + info.stderr)
        self.assertIn("every block is valid, no warnings", info.stdout)

    def assert_analyze_reads(self, path, n_rows):
        out = self.path("metrics")
        result = run_cli("analyze", path, "--out", out, "--repeats", "2", "--bootstrap", "20",
                         "--threads", "1")
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(out, "heads.csv")) as f:
            self.assertEqual(len(f.read().splitlines()), 1 + n_rows)


class Gpt2Test(ExportTestCase):
    """Fused qkv (c_attn), weights at the attention dropout's input."""

    def setUp(self):
        super().setUp()
        self.model = tiny_models.GPT2LMHeadModel(n_layers=3, n_heads=4, d_model=32).eval()
        self.ids = samples(3, 24, 50, bos=0)

    def test_equals_the_model(self):
        path = self.path("gpt2.h5")
        queries = [5, 17, 23]
        summary = export(self.model, self.ids, path, "hf-gpt2", queries=queries,
                         values_dtype="float32", batch_size=2)
        own = own_records(self.model, self.ids, batch_size=2)
        with h5py.File(path, "r") as f:
            self.assertEqual(f.attrs["format"], "headlens-activations")
            self.assertEqual(f["values"].shape, (3, 3, 4, 24, 8))
            self.assertEqual(f["attention"].shape, (3, 3, 4, 3, 24))
            self.assertEqual(list(f["query_positions"][:]), queries)
            self.assertEqual(list(f.attrs["kv_head_of"]), [0, 1, 2, 3])
            np.testing.assert_array_equal(f["tokens/ids"][:], self.ids.numpy())
            for layer in range(3):
                # float32 in, float32 out: the same numbers exactly.
                np.testing.assert_array_equal(f["attention"][layer],
                                              own[layer]["probs"][:, :, queries, :].numpy())
                np.testing.assert_array_equal(f["values"][layer], own[layer]["values"].numpy())
        self.assertLess(summary["max_row_error"], 1e-6)
        self.assert_valid_for_headlens(path)
        self.assert_analyze_reads(path, n_rows=3 * 4 * 3 * 3)

    def test_float16_values(self):
        path = self.path("gpt2-f16.h5")
        export(self.model, self.ids, path, "hf-gpt2")
        own = own_records(self.model, self.ids)
        with h5py.File(path, "r") as f:
            self.assertEqual(f["values"].dtype, np.float16)
            self.assertEqual(f["attention"].dtype, np.float32)
            # The last query only, by default.
            self.assertEqual(list(f["query_positions"][:]), [23])
            for layer in range(3):
                np.testing.assert_allclose(f["values"][layer], own[layer]["values"].numpy(),
                                           rtol=1e-3, atol=1e-4)
        self.assert_valid_for_headlens(path)

    def test_bos_check(self):
        ids = self.ids.clone()
        ids[1, 0] = 7
        with self.assertRaisesRegex(ExportError, "sample 1 starts with token 7, expected the BOS token 0"):
            export(self.model, ids, self.path("no-bos.h5"), "hf-gpt2")
        self.assertFalse(os.path.exists(self.path("no-bos.h5")))
        export(self.model, ids, self.path("allowed.h5"), "hf-gpt2", allow_missing_bos=True)
        self.assert_valid_for_headlens(self.path("allowed.h5"))

    def test_wrong_preset_leaves_nothing(self):
        with self.assertRaisesRegex(ExportError, "no module 'model.layers.0.self_attn'"):
            export(self.model, self.ids, self.path("wrong.h5"), "hf-llama")
        self.assertEqual(os.listdir(self.dir), [])

    def test_float16_overflow(self):
        with torch.no_grad():
            self.model.transformer.h[1].attn.c_attn.bias[-1] = 1e6
        with self.assertRaisesRegex(ExportError, "beyond float16.*values_dtype=\"float32\""):
            export(self.model, self.ids, self.path("big.h5"), "hf-gpt2")
        self.assertEqual(os.listdir(self.dir), [])


class LlamaTest(ExportTestCase):
    """RoPE and grouped-query attention: 4 query heads over 2 kv heads."""

    def setUp(self):
        super().setUp()
        self.model = tiny_models.LlamaForCausalLM(n_layers=3, n_heads=4, n_kv_heads=2).eval()
        self.ids = samples(2, 20, 60, bos=1)

    def test_equals_the_model(self):
        path = self.path("llama.h5")
        export(self.model, self.ids, path, "hf-llama", queries="all", values_dtype="float32",
               tokens=[[f"t{i}" for i in range(20)] for _ in range(2)])
        # The exporter took each layer's weights out of the output it hands
        # on, so the model kept no [T, T] matrix of any layer.
        self.assertEqual(self.model.last_attentions, [None, None, None])
        own = own_records(self.model, self.ids)
        with h5py.File(path, "r") as f:
            self.assertEqual(f.attrs["n_kv_heads"], 2)
            self.assertEqual(list(f.attrs["kv_head_of"]), [0, 0, 1, 1])
            self.assertEqual(f["tokens/text"][0, 3].decode(), "t3")
            for layer in range(3):
                attention = f["attention"][layer]
                values = f["values"][layer]
                np.testing.assert_array_equal(attention, own[layer]["probs"].numpy())
                # v_proj's output: before the rotary embedding, which turns
                # only queries and keys.
                np.testing.assert_array_equal(values, own[layer]["values"].numpy())
                # The mapping is the model's: head h's output at every query
                # is its attention row applied to the values of kv head
                # kv_head_of[h].
                for h, g in enumerate(f.attrs["kv_head_of"]):
                    np.testing.assert_allclose(attention[:, h] @ values[:, g],
                                               own[layer]["z"][:, h].numpy(), rtol=1e-5, atol=1e-6)
        self.assert_valid_for_headlens(path)
        self.assert_analyze_reads(path, n_rows=3 * 4 * 2 * 20)

    def test_bfloat16(self):
        model = self.model.to(torch.bfloat16)
        path = self.path("bf16.h5")
        summary = export(model, self.ids, path, "hf-llama", queries="all")
        # bfloat16 rows are off by more than Headlens accepts without a
        # warning (0.001); renormalised, the file validates without one.
        self.assertTrue(summary["renormalised"])
        self.assertGreater(summary["max_row_error"], 1e-3)
        own = own_records(model, self.ids)
        with h5py.File(path, "r") as f:
            rows = f["attention"][:].astype(np.float64)
            np.testing.assert_allclose(rows.sum(axis=-1), 1.0, atol=1e-6)
            probs = own[0]["probs"].to(torch.float64)
            np.testing.assert_allclose(rows[0], (probs / probs.sum(-1, keepdim=True)).numpy(),
                                       rtol=1e-6)
        self.assert_valid_for_headlens(path)
        # Stored as they came, the rows make Headlens warn.
        with self.assertWarnsRegex(UserWarning, "Headlens warns from 0.001"):
            export(model, self.ids, self.path("raw.h5"), "hf-llama", queries="all",
                   renormalise=False)
        info = run_cli("info", self.path("raw.h5"))
        self.assertIn("sums to", info.stdout + info.stderr)

    def test_layers_subset(self):
        path = self.path("subset.h5")
        export(self.model, self.ids, path, "hf-llama", layers=[2], values_dtype="float32")
        own = own_records(self.model, self.ids)
        with h5py.File(path, "r") as f:
            self.assertEqual(f.attrs["n_layers"], 1)
            self.assertIn("model layers [2]", f.attrs["source"])
            np.testing.assert_array_equal(f["values"][0], own[2]["values"].numpy())

    def test_weights_not_returned(self):
        # Called without output_attentions, self_attn returns no weights.
        with self.assertRaisesRegex(ExportError, "gave no attention weights.*eager"):
            export(self.model, self.ids, self.path("x.h5"), "hf-llama",
                   forward=lambda m, ids: m(ids))
        self.assertEqual(os.listdir(self.dir), [])


class PresetTest(unittest.TestCase):
    def test_presets(self):
        tested = sorted(name for name, p in PRESETS.items() if p.tested)
        self.assertEqual(tested, ["hf-gpt2", "hf-llama"])
        self.assertEqual(PRESETS["hf-mistral"].values, PRESETS["hf-llama"].values)
        with self.assertRaisesRegex(ValueError, "values_layout"):
            Preset(name="x", attention="a", attention_take="output", values="v",
                   values_take="output", values_layout="qkv")


if __name__ == "__main__":
    CLI = sys.argv.pop(1)
    unittest.main(verbosity=2)
