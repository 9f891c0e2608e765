"""`matcher vocab …`: import an ESCO download into the vocabulary, fit the normaliser's similarity blend on it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from matcher.cli.base import EXIT_OK, EXIT_USAGE, command, open_service, print_json
from matcher.config import Settings


def add_arguments(sub: Any) -> None:
    vocab = sub.add_parser("vocab", help="vocabulary: ESCO import").add_subparsers(dest="sub", required=True)
    esco = vocab.add_parser("import-esco", help="import an ESCO CSV download (occupations, skills, relations)")
    esco.add_argument("directory", type=Path)
    pairs = vocab.add_parser("esco-pairs", help="parallel Dutch/English pairs from an ESCO download (encoder training)")
    pairs.add_argument("directory", type=Path)
    pairs.add_argument("--out", type=Path, required=True, help="JSONL file to write")
    pairs.add_argument("--holdout", type=float, default=0.1, help="share of concepts held out for evaluation")
    pairs.add_argument("--seed", type=int, default=42)
    pairs.add_argument("--self-ratio", type=float, default=1.0,
                       help="English self-pairs per Dutch training pair (keeps English quality)")
    blend = vocab.add_parser("fit-blend", help="fit the similarity blend on an ESCO download (one per encoder)")
    blend.add_argument("directory", type=Path)
    blend.add_argument("--out", type=Path, help="default: the shipped matcher/matching/vocabulary/data/blend.json")
    blend.add_argument("--encoders", default="multilingual-e5-small,all-MiniLM-L6-v2,letters",
                       help="comma-separated: installed encoders, and `letters` for the blend without one")


@command("vocab import-esco")
def _import_esco(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.matching.vocabulary.esco import import_esco

    if not args.directory.is_dir():
        print(f"error: {args.directory} is not a folder")
        return EXIT_USAGE
    with open_service(settings).db.transaction() as conn:
        counts = import_esco(conn, args.directory)
    print_json(counts)
    print("imported; running servers pick up the new vocabulary after a restart")
    return EXIT_OK


@command("vocab esco-pairs")
def _esco_pairs(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.learning.distill import build_pairs, pair_counts, write_pairs

    if not args.directory.is_dir():
        print(f"error: {args.directory} is not a folder")
        return EXIT_USAGE
    if not 0 <= args.holdout < 1 or args.self_ratio < 0:
        print("error: --holdout must be in [0, 1) and --self-ratio at least 0")
        return EXIT_USAGE
    try:
        pairs = build_pairs(args.directory, holdout=args.holdout, seed=args.seed, self_ratio=args.self_ratio)
    except FileNotFoundError as exc:
        print(f"error: {exc}")
        return EXIT_USAGE
    write_pairs(pairs, args.out)
    print_json(pair_counts(pairs))
    print(f"wrote {len(pairs)} pairs to {args.out}")
    return EXIT_OK


@command("vocab fit-blend")
def _fit_blend(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.learning.blend import fit
    from matcher.matching.embeddings import open_encoder
    from matcher.matching.vocabulary.blend import BLEND_FILE, save_all

    if not args.directory.is_dir():
        print(f"error: {args.directory} is not a folder")
        return EXIT_USAGE
    blends = []
    for name in [n.strip() for n in args.encoders.split(",") if n.strip()]:
        encoder = None if name == "letters" else open_encoder(settings.model_copy(update={"encoder": name}))
        blend = fit(args.directory, encoder)
        print_json({"encoder": blend.encoder, "weights": blend.weights, "threshold": blend.threshold,
                    "dev": blend.card["dev"]})
        blends.append(blend)
    save_all(blends, args.out or BLEND_FILE)
    print(f"wrote {args.out or BLEND_FILE}")
    return EXIT_OK
