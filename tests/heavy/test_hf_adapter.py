"""``run hf:PATH`` end to end with a tiny token-classification model made here (no download).

The model is a BERT with no transformer layer, a WordPiece tokenizer trained on the test's own text,
and weights set by hand so that its output is known: the word embedding of the marked words points
along one axis, which the classifier reads as one label; every other token is ``O``. So the test
knows exactly which spans the pipeline must give, and checks the plumbing (offsets from the
aggregated output, sentence chunks shifted to the document, label mapping, the run and the
scoring), not the quality.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import BertConfig, BertForTokenClassification, PreTrainedTokenizerFast

from nkru_bench.gold.loading import load_gold
from nkru_bench.systems.adapters.hf_pipeline import HfExtractor
from nkru_bench.systems.resolve import resolve_system

LABELS = ["O", "B-GPE", "I-GPE", "B-PERSON", "I-PERSON", "B-LABEL_7", "I-LABEL_7"]
CZECH = "Kim Čong-un přijel do Moskvy. Putin ho v Moskvě přivítal.\nV Moskvě bylo chladno."


def make_model(folder: Path, corpus: list[str], marked: dict[str, str]) -> Path:
    """A tiny BERT token classifier that tags each word of ``marked`` (whole word -> label), else O."""
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(corpus, trainers.WordPieceTrainer(vocab_size=3000, special_tokens=specials))
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[(s, tok.token_to_id(s)) for s in ("[CLS]", "[SEP]")]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        model_max_length=64,
        **{f"{s[1:-1].lower()}_token": s for s in specials},
    )
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=16,
        num_hidden_layers=0,
        num_attention_heads=2,
        intermediate_size=16,
        max_position_embeddings=64,
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    model = BertForTokenClassification(config)
    with torch.no_grad():
        embeddings = model.bert.embeddings
        for table in (
            embeddings.word_embeddings,
            embeddings.position_embeddings,
            embeddings.token_type_embeddings,
        ):
            table.weight.zero_()
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        model.classifier.bias[LABELS.index("O")] = 1.0
        for word, label in marked.items():
            pieces = fast(word, add_special_tokens=False)["input_ids"]
            assert len(pieces) == 1, f"{word!r} must be one piece of the trained vocabulary"
            axis = LABELS.index(f"B-{label}")
            embeddings.word_embeddings.weight[pieces[0], axis] = 10.0
            model.classifier.weight[axis, axis] = 5.0
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


def whole_words(text: str, word: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text)]


def test_a_pipeline_gives_the_marked_words_with_document_offsets_and_mapped_labels(tmp_path: Path) -> None:
    folder = make_model(
        tmp_path / "model", [CZECH] * 3, {"Moskvě": "GPE", "Putin": "PERSON", "Kim": "LABEL_7"}
    )
    extract = HfExtractor(str(folder), labels={"LABEL_7": "PER"})
    prediction = extract({"doc_id": "d", "lang": "cs", "text": CZECH})
    got = [(CZECH[e.start : e.end], e.start, e.type, e.lemma, e.entity_id) for e in prediction.entities or ()]
    expected = sorted(
        [(CZECH[s:e], s, "LOC", None, None) for s, e in whole_words(CZECH, "Moskvě")]
        + [("Putin", CZECH.index("Putin"), "PER", None, None), ("Kim", 0, "PER", None, None)],
        key=lambda row: row[1],
    )
    assert got == expected  # "Moskvě" twice, the second in the third sentence: offsets shifted per sentence
    unmapped = HfExtractor(str(folder))({"doc_id": "d", "lang": "cs", "text": CZECH})
    assert "Kim" not in [CZECH[e.start : e.end] for e in unmapped.entities or ()]  # LABEL_7: not in the table


def test_nkru_bench_run_hf_end_to_end(tmp_path: Path) -> None:
    gold = load_gold()
    texts = [doc.text for doc in gold.documents]
    words = re.findall(r"\b[A-ZŁŚŻČŠŽ][a-ząćęłńóśźżáčďéěíňřšťúůýž]{3,}\b", " ".join(texts))
    marked = max(set(words), key=lambda w: (words.count(w), w))  # the most frequent capitalized word
    folder = make_model(tmp_path / "model", texts, {marked: "GPE"})
    out, scores = tmp_path / "hf.jsonl", tmp_path / "scores.json"
    command = [
        sys.executable,
        "-m",
        "nkru_bench",
        "run",
        f"hf:{folder}",
        "-o",
        str(out),
        "--json",
        str(scores),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    by_doc = {row["doc_id"]: row for row in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    for doc in gold.documents:
        spans = [(e["start"], e["end"], e["type"]) for e in by_doc[doc.doc_id]["entities"]]
        assert spans == [(s, e, "LOC") for s, e in whole_words(doc.text, marked)], doc.doc_id
    result = json.loads(scores.read_text(encoding="utf-8"))
    assert result["entities"]["strict"]["counts"]["actual"] == sum(len(whole_words(t, marked)) for t in texts)
    assert result["entities"]["strict"]["f1"] is not None


def test_run_labels_maps_a_model_label(tmp_path: Path) -> None:
    folder = make_model(tmp_path / "model", [CZECH] * 3, {"Kim": "LABEL_7"})
    _, extract = resolve_system(f"hf:{folder}", labels="LABEL_7=ORG")
    prediction = extract({"doc_id": "d", "lang": "cs", "text": CZECH})
    assert [(e.start, e.end, e.type) for e in prediction.entities or ()] == [(0, 3, "ORG")]


def test_a_folder_that_is_no_model_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nkru_bench", "run", f"hf:{tmp_path}", "-o", str(tmp_path / "p.jsonl")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "cannot load the model" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "p.jsonl").exists()
