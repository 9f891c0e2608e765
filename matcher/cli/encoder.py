"""`matcher encoder …`: the installed encoders, and distilling a Dutch job-domain encoder (docs/ENCODER.md).

Needs no database: `unpack` writes the multilingual encoder's model directory, `distill` reads a pair file
(``matcher vocab esco-pairs``) and writes a model directory.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from matcher.cli.base import EXIT_OK, EXIT_USAGE, command, print_json
from matcher.config import Settings


def add_arguments(sub: Any) -> None:
    encoder = sub.add_parser("encoder", help="sentence encoder: unpack, distil").add_subparsers(dest="sub",
                                                                                                required=True)
    encoder.add_parser("unpack", help="unpack the encoder and export it to ONNX (done on first use otherwise)")
    d = encoder.add_parser("distill", help="teach the bundled English encoder Dutch from parallel pairs")
    d.add_argument("--pairs", type=Path, required=True, help="JSONL from `matcher vocab esco-pairs`")
    d.add_argument("--out", type=Path, required=True, help="model directory to write (models/encoders/<name>)")
    d.add_argument("--epochs", type=int, default=18)
    d.add_argument("--lr", type=float, default=1e-4)
    d.add_argument("--batch-size", type=int, default=128)
    d.add_argument("--warmup", type=float, default=0.05, help="share of the steps spent warming up")
    d.add_argument("--seed", type=int, default=42)
    d.add_argument("--max-steps", type=int, default=None, help="stop after this many steps (smoke runs)")
    d.add_argument("--teacher", type=Path, default=None, help="default: the bundled all-MiniLM-L6-v2")
    d.add_argument("--synonyms", type=Path, default=None,
                   help="Dutch synonym pairs (TSV a, b, label, kind); default: bench/data/dutch_synonym_pairs.tsv")
    d.add_argument("--fp32", action="store_true", help="store float32 weights instead of float16")
    d.add_argument("--no-amp", action="store_true", help="no bfloat16 autocast on a GPU")
    d.add_argument("--no-fold", action="store_true", help="train on the sources as written, not folded")
    d.add_argument("--quiet", action="store_true", help="no progress bar")


@command("encoder unpack")
def _unpack(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.matching.embeddings import open_encoder

    encoder = open_encoder(settings)
    print(f"{encoder.name}: {encoder.path} ({encoder.backend})")
    return EXIT_OK


@command("encoder distill")
def _distill(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.learning.distill import DEFAULT_SYNONYMS, DistillSettings, distill

    if not args.pairs.is_file():
        print(f"error: {args.pairs} is not a file")
        return EXIT_USAGE
    if args.teacher is not None and not args.teacher.is_dir():
        print(f"error: {args.teacher} is not a folder")
        return EXIT_USAGE
    if args.out.exists() and any(args.out.iterdir()):
        print(f"error: {args.out} exists and is not empty; choose a new folder")
        return EXIT_USAGE
    config = DistillSettings(epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, warmup=args.warmup,
                             seed=args.seed, max_steps=args.max_steps, fp16=not args.fp32, amp=not args.no_amp,
                             fold_sources=not args.no_fold)
    try:
        report = distill(args.pairs, args.out, teacher=args.teacher, settings=config,
                         synonyms=args.synonyms or DEFAULT_SYNONYMS, progress=not args.quiet)
    except ValueError as exc:
        print(f"error: {exc}")
        return EXIT_USAGE
    print_json({"out": str(args.out), "training": report["training"],
                 "before": report["before"], "after": report["after"]})
    print(f"wrote {args.out}; use it with MATCHER_ENCODER_PATH={args.out}")
    return EXIT_OK
