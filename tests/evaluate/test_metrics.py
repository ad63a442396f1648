"""The metrics pinned to their anchors' behaviour (DESIGN §6); expected numbers worked out by hand."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.evaluate import metrics as M
from corpus.model import Annotation, Block, Document, Layer, Normalizer, Source

# -- aeb_shingle4 ---------------------------------------------------------------------------------


def test_aeb_tokens_are_unicode_word_runs_with_case_kept():
    assert M.aeb_tokens("Hello, World! l'été — 42_x") == ["Hello", "World", "l", "été", "42_x"]
    assert M.aeb_tokens(None) == []


def test_shingles_short_texts_give_one_shorter_shingle_and_empty_none():
    assert M.shingles("") == Counter()
    assert M.shingles("...") == Counter()
    assert M.shingles("one") == Counter({("one",): 1})
    assert M.shingles("a b c") == Counter({("a", "b", "c"): 1})
    assert M.shingles("a b c d e") == Counter({("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1})


def test_shingles_are_a_multiset():
    s = M.shingles("a b c d a b c d")
    assert s[("a", "b", "c", "d")] == 2
    assert sum(s.values()) == 5


def test_shingle_counts_are_divided_by_their_sum():
    # pred {abcd, bcde}, gold {abcd, bcdf}: tp 1, fp 1, fn 1
    assert M.shingle_counts("a b c d e", "a b c d f") == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    # repeated shingles count with multiplicity: pred has abcd twice, gold once
    tp, fp, fn = M.shingle_counts("a b c d x a b c d", "a b c d")
    raw_tp, raw_fp = 1, 5  # pred shingles: 6 (abcd x2 + 4 others), gold: 1
    assert (tp, fp, fn) == pytest.approx((raw_tp / 6, raw_fp / 6, 0.0))
    assert M.shingle_counts("", "") == (0.0, 0.0, 0.0)


def test_page_precision_recall_rules():
    assert M.page_precision(0, 0, 0) == 1.0 and M.page_recall(0, 0, 0) == 1.0
    assert M.page_precision(0.0, 0.0, 1.0) == 0.0  # nothing predicted
    assert M.page_recall(0.0, 1.0, 0.0) == 0.0  # nothing to find
    assert M.page_precision(0.25, 0.75, 0.0) == 0.25
    assert M.page_recall(0.5, 0.0, 0.5) == 0.5


def test_aeb_corpus_precision_skips_empty_predictions_and_f1_is_of_the_means():
    pairs = [
        ("one two three four five", "one two three four five"),  # p 1, r 1, exact
        ("", "a b c d e"),  # empty: not in precision; recall 0
        (None, "x y z w"),  # failed: same as empty
        ("a b c d e", "a b c d f"),  # p 0.5, r 0.5
        ("foo bar", ""),  # empty gold: precision 0, not in recall
    ]
    s = M.aeb_shingle4(pairs, bootstrap=0)
    assert s.precision == pytest.approx((1 + 0.5 + 0) / 3)
    assert s.recall == pytest.approx((1 + 0 + 0 + 0.5) / 4)
    assert s.f1 == pytest.approx(2 * 0.5 * 0.375 / 0.875)  # not the mean of per-page F1
    assert s.accuracy == pytest.approx(1 / 5)
    assert (s.n_pages, s.n_empty, s.n_failed) == (5, 1, 1)
    assert s.f1_std is None


def test_aeb_accuracy_compares_token_sequences_not_whitespace_or_punctuation():
    s = M.aeb_shingle4([("Hello,   world!\n", "Hello world"), ("hello world", "Hello world")], bootstrap=0)
    assert s.accuracy == 0.5


def test_aeb_texts_are_not_normalised():
    # NFC vs NFD forms are different tokens for the anchor; the metric must not fold them
    s = M.aeb_shingle4([("caf\u00e9 ok", "cafe\u0301 ok")], bootstrap=0)
    assert s.accuracy == 0.0


def test_bootstrap_is_seeded():
    pairs = [("a b c d e f", "a b c d e g"), ("x y", "x y z"), ("p q r s", "p q r s"), ("", "m n o p q")]
    a = M.aeb_shingle4(pairs, bootstrap=200, seed=1)
    b = M.aeb_shingle4(pairs, bootstrap=200, seed=1)
    c = M.aeb_shingle4(pairs, bootstrap=200, seed=2)
    assert a.f1_std == b.f1_std
    assert a.f1_std is not None and a.f1_std > 0
    assert c.f1_std != a.f1_std


# -- trafilatura_segments -------------------------------------------------------------------------


def test_segments_fold_whitespace_and_match_substrings():
    assert M.segment_counts("The quick  brown\n\tfox.", ["quick brown fox"], []) == (1, 0, 0, 0)
    assert M.segment_counts("brown", ["row"], []) == (1, 0, 0, 0)  # substring, not word match
    assert M.segment_counts("a b", [" a\n b "], ["x"]) == (1, 0, 0, 1)


def test_segments_failed_output_counts_nothing_found():
    assert M.segment_counts(None, ["a", "b"], ["c"]) == (0, 0, 2, 1)


def test_segments_are_micro_averaged():
    items = [
        ("The quick  brown\nfox. Menu", ["quick brown fox", "lazy dog"], ["Menu", "Footer"]),  # 1 1 1 1
        (None, ["x"], ["y", "z"]),  # 0 0 1 2
        ("", ["a"], []),  # 0 0 1 0
    ]
    s = M.trafilatura_segments(items, bootstrap=0)
    assert (s.precision, s.recall, s.accuracy) == pytest.approx((0.5, 0.25, 0.5))
    assert s.f1 == pytest.approx(2 / (2 + 1 + 3))
    assert (s.n_pages, s.n_empty, s.n_failed) == (3, 1, 1)


def test_segments_empty_denominators_give_zero():
    s = M.trafilatura_segments([("", [], ["x"])], bootstrap=0)
    assert (s.precision, s.recall, s.f1, s.accuracy) == (0.0, 0.0, 0.0, 1.0)


# -- token_f1 -------------------------------------------------------------------------------------


def test_token_f1_is_bag_of_words_macro_averaged():
    s = M.token_f1([("a a b", "a b b c"), ("", "")], bootstrap=0)
    assert s.precision == pytest.approx((2 / 3 + 1) / 2)
    assert s.recall == pytest.approx((0.5 + 1) / 2)
    assert s.f1 == pytest.approx((4 / 7 + 1) / 2)
    assert s.accuracy is None


def test_token_f1_failed_page_scores_zero():
    s = M.token_f1([(None, "a b")], bootstrap=0)
    assert (s.precision, s.recall, s.f1, s.n_failed) == (0.0, 0.0, 0.0, 1)


def test_token_f1_failed_page_scores_zero_whatever_its_gold():
    # an empty prediction on an empty gold is right (1); a failure there is still a failure (0)
    assert M.token_f1([("", "")], bootstrap=0).f1 == 1.0
    s = M.token_f1([(None, ""), (None, "   ")], bootstrap=0)
    assert (s.precision, s.recall, s.f1, s.n_failed, s.n_empty) == (0.0, 0.0, 0.0, 2, 0)


# -- wcxb_word_f1 ---------------------------------------------------------------------------------


def test_wcxb_tokens_are_unicode_word_runs_of_the_lower_cased_text():
    assert M.wcxb_tokens("Hello, WORLD! L'Été — 42_x ÄÖ") == ["hello", "world", "l", "été", "42_x", "äö"]
    assert M.wcxb_tokens("") == [] and M.wcxb_tokens(None) == []
    # lower-casing comes first: "İ" lower-cases to "i" + U+0307 (not a word character), as WCXB reads it
    assert M.wcxb_tokens("İstanbul") == ["i", "stanbul"]


def test_wcxb_page_by_hand():
    # pred bag {the: 2, cat: 1, dog: 1}, gold {the: 1, cat: 1, sat: 1}: overlap 2 -> P 2/4, R 2/3
    p, r, f1 = M.wcxb_page("The cat, the DOG.", "the Cat sat")
    assert (p, r) == pytest.approx((0.5, 2 / 3)) and f1 == pytest.approx(4 / 7)
    assert M.wcxb_page("a a a", "a") == pytest.approx((1 / 3, 1.0, 0.5))  # a multiset, not a set


def test_wcxb_empty_page_rules():
    assert M.wcxb_page("", "") == (1.0, 1.0, 1.0)
    assert M.wcxb_page("... —", "!!") == (1.0, 1.0, 1.0)  # no word token on either side is empty
    assert M.wcxb_page("stray words", "") == (0.0, 0.0, 0.0)
    assert M.wcxb_page("", "the gold") == (0.0, 0.0, 0.0)  # its precision counts as 0
    assert M.wcxb_page(None, "") == (0.0, 0.0, 0.0)  # a failure is 0 whatever the gold
    assert M.wcxb_page(None, "the gold") == (0.0, 0.0, 0.0)
    assert M.wcxb_page("no overlap", "the gold") == (0.0, 0.0, 0.0)


_WORDS = st.lists(st.sampled_from(["Tide", "tide", "moon", "Moon!", "ébb", "42", "—", "a_b", " ", "\n"]), max_size=12)


@given(_WORDS, _WORDS)
def test_wcxb_page_swaps_precision_and_recall_and_ignores_case_and_punctuation(a, b):
    pred, gold = " ".join(a), " ".join(b)
    p, r, f1 = M.wcxb_page(pred, gold)
    assert 0.0 <= min(p, r, f1) and max(p, r, f1) <= 1.0
    if M.wcxb_tokens(pred) and M.wcxb_tokens(gold):
        assert M.wcxb_page(gold, pred) == pytest.approx((r, p, f1))
    assert M.wcxb_page(pred.upper().replace("!", "."), gold) == pytest.approx((p, r, f1))
    assert M.wcxb_page(pred, pred)[2] == 1.0


def test_wcxb_word_f1_macro_averages_precision_recall_and_f1():
    pairs = [("The cat, the DOG.", "the Cat sat"), ("", ""), ("", "gold words"), (None, ""), ("a a a", "a")]
    s = M.wcxb_word_f1(pairs, bootstrap=0)
    assert s.metric == "wcxb_word_f1" and (s.n_pages, s.n_empty, s.n_failed) == (5, 2, 1)
    assert s.precision == pytest.approx((0.5 + 1 + 0 + 0 + 1 / 3) / 5)
    assert s.recall == pytest.approx((2 / 3 + 1 + 0 + 0 + 1) / 5)
    assert s.f1 == pytest.approx((4 / 7 + 1 + 0 + 0 + 0.5) / 5)  # mean of page F1, not F1 of the means
    assert s.accuracy is None
    again = M.aggregate("wcxb_word_f1", s.per_page[:2])
    assert again.f1 == pytest.approx((4 / 7 + 1) / 2)
    boot = M.wcxb_word_f1(pairs, bootstrap=200, seed=1)
    assert boot.f1 == s.f1 and boot.f1_std is not None and boot.f1_std > 0
    assert "wcxb_word_f1" in M.TEXT_METRICS and M.TEXT_METRIC_FUNCTIONS["wcxb_word_f1"] is M.wcxb_word_f1


# -- paired bootstrap ------------------------------------------------------------------------------


def test_paired_difference_of_a_system_with_itself_is_zero():
    pairs = [("a b c d e", "a b c d f"), ("x y z", "x y z"), ("", "p q")]
    s = M.aeb_shingle4(pairs, bootstrap=0)
    d = M.paired_difference("a", s, "b", s, rounds=100)
    assert (d.observed, d.mean, d.std) == (0.0, 0.0, 0.0)


def test_paired_difference_sees_a_uniformly_better_system():
    gold = ["a b c d e f g", "h i j k l m", "n o p q r s t"]
    good = M.trafilatura_segments([(g, [g], []) for g in gold], bootstrap=0)
    bad = M.trafilatura_segments([("", [g], []) for g in gold], bootstrap=0)
    d = M.paired_difference("good", good, "bad", bad, rounds=200, seed=3)
    assert d.observed == 1.0 and d.mean == pytest.approx(1.0) and d.p_not_better == 0.0
    with pytest.raises(ValueError):
        M.paired_difference("a", good, "b", M.token_f1([("x", "x")], bootstrap=0))


# -- blocks ---------------------------------------------------------------------------------------


def test_cohen_kappa_by_hand():
    # p_o = 0.75; p_e = 0.5*0.25 + 0.5*0.75 = 0.5 -> kappa 0.5
    assert M.cohen_kappa(["x", "x", "y", "y"], ["x", "y", "y", "y"]) == pytest.approx(0.5)
    assert M.cohen_kappa(["x", "y"], ["x", "y"]) == 1.0
    assert M.cohen_kappa(["x", "x"], ["x", "x"]) == 1.0
    with pytest.raises(ValueError):
        M.cohen_kappa(["x"], [])


def _doc(text: str, blocks=(), entities=(), doc_id: str = "d1", label_set: str = "conll4") -> Document:
    return Document(id=doc_id, source=Source(), normalizer=Normalizer("n", "1"), text=text,
                    blocks=tuple(blocks), entities=tuple(entities),
                    annotation=Annotation(blocks=Layer("gold"), entities=Layer("gold"), entity_label_set=label_set))


def test_block_scores_per_label_and_content():
    text = "Title\nBody one\nMenu"
    gold = _doc(text, [Block(0, 5, "title"), Block(6, 14, "body"), Block(15, 19, "navigation")])
    pred = _doc(text, [Block(0, 5, "title"), Block(6, 14, "body"), Block(15, 19, "body")])
    s = M.block_scores([gold], [pred])
    assert s.n_blocks == 3 and s.accuracy == pytest.approx(2 / 3)
    assert s.per_label["body"]["precision"] == 0.5 and s.per_label["body"]["recall"] == 1.0
    assert s.per_label["navigation"]["recall"] == 0.0
    assert s.content["precision"] == pytest.approx(2 / 3) and s.content["recall"] == 1.0
    assert s.confusion["navigation"] == {"body": 1}


def test_block_scores_match_by_character_overlap_and_count_missing_docs():
    text = "Headline here\nBody"
    gold = _doc(text, [Block(0, 13, "title"), Block(14, 18, "body")])
    pred = _doc(text, [Block(0, 8, "title"), Block(9, 13, "body"), Block(14, 18, "body")])  # finer split
    s = M.block_scores([gold, _doc("x", [Block(0, 1, "body")], doc_id="d2")], [pred])
    assert s.n_missing_docs == 1
    assert s.confusion["title"] == {"title": 1}  # 8 of 13 characters labelled title


@pytest.mark.parametrize(("gold", "pred", "expected"), [
    ("a b c", "a b c", (1, 0, 0)),
    ("a b c d", "a b c", (0.5, 0, 0.5)),
    ("a b c", "a b c d", (0.5, 0.5, 0)),
    ("", "", (0, 0, 0)),
    ("a", "", (0, 0, 1)),
    ("", "a", (0, 1, 0)),
    ("a b c a b c", "a b c", (0.25, 0, 0.75)),
    ("a b c", "a b c a b c", (0.25, 0.75, 0)),
])
def test_shingle_counts_with_trigrams(gold, pred, expected):
    assert M.shingle_counts(pred, gold, n=3) == pytest.approx(expected)
