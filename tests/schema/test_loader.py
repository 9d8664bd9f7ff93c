"""The loader (toyexp.schema.loader): dotted overrides, YAML files, merging into a tree that refuses
unknown keys, building a section, and YAML read with its lines for messages that name them."""

from dataclasses import dataclass, field

import pytest

from toyexp.schema import ConfigError, FieldError, at_least, build_section, merge, parse_override, read_sections, read_yaml_lines, set_dotted

TREE = {"training": {"learning_rate": 0.001, "batch_size": 32}, "network": {"hidden_dim": 256}}


def raises(fragments, call, *args):
    with pytest.raises(ConfigError) as info:
        call(*args)
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))
    return str(info.value)


# --- parse_override -------------------------------------------------------------------------------


@pytest.mark.parametrize("item,expected", [
    ("training.learning_rate=0.0005", ("training.learning_rate", 0.0005)),
    ("training.learning_rate=1e-3", ("training.learning_rate", "1e-3")),  # YAML 1.1: the field makes it a number
    ("evaluation.num_eval_steps=[1, 2,4]", ("evaluation.num_eval_steps", [1, 2, 4])),
    (" experiment.name = abc ", ("experiment.name", "abc")),
    ("experiment.output_dir=a=b", ("experiment.output_dir", "a=b")),  # split at the first '='
    ("dataset.alpha_values=[]", ("dataset.alpha_values", [])),
])
def test_parse_override(item, expected):
    assert parse_override(item) == expected


@pytest.mark.parametrize("item,fragments", [
    ("training.learning_rate", ["'training.learning_rate'", "malformed", "section.key=value"]),
    ("learning_rate=0.1", ["'learning_rate=0.1'", "malformed", "section.key"]),
    ("a.b.c=1", ["'a.b.c=1'", "malformed"]),
    (".learning_rate=1", ["malformed"]),
    ("training.=1", ["malformed"]),
    ("training.learning_rate=", ["no value", "training.learning_rate"]),
    ("training.learning_rate=null", ["no value", "training.learning_rate"]),
    ("training.learning_rate=[1,", ["not valid YAML", "'[1,'"]),
    ("training.learning_rate={", ["not valid YAML"]),
    (5, ["malformed", "5"]),
])
def test_malformed_override(item, fragments):
    raises(fragments, parse_override, item)


# --- read_sections --------------------------------------------------------------------------------


def test_read_sections_from_a_dict_or_a_file(tmp_path):
    assert read_sections(None, TREE) == {} and read_sections({"training": {}}, TREE) == {"training": {}}
    path = tmp_path / "c.yaml"
    path.write_text("training:\n  batch_size: 4\nnetwork:\n")
    assert read_sections(path, TREE) == read_sections(str(path), TREE) == {"training": {"batch_size": 4}, "network": None}


def test_a_missing_file(tmp_path):
    raises(["config file", "nope.yaml", "does not exist"], read_sections, tmp_path / "nope.yaml", TREE)


@pytest.mark.parametrize("text,fragments", [
    ("# only a comment\n", ["empty.yaml", "is empty", "expected sections 'training', 'network'"]),
    ("- training\n- network\n", ["mapping of sections 'training', 'network'", "['training', 'network']"]),
    ("training: [1,\n", ["empty.yaml", "not valid YAML"]),
])
def test_a_file_that_is_no_config(tmp_path, text, fragments):
    path = tmp_path / "empty.yaml"
    path.write_text(text)
    raises(fragments, read_sections, path, TREE)


# --- merge and set_dotted ---------------------------------------------------------------------------


def test_merge_replaces_given_keys_whole_and_leaves_the_tree_alone():
    out = merge(TREE, {"training": {"batch_size": 4, "learning_rate": {"a": 1}}, "network": None})  # an empty section: no change
    assert out == {"training": {"learning_rate": {"a": 1}, "batch_size": 4}, "network": {"hidden_dim": 256}}
    assert TREE["training"] == {"learning_rate": 0.001, "batch_size": 32}  # a copy was merged into
    nested = merge({"s": {"grid": {"a": [1, 2], "b": [3]}}}, {"s": {"grid": {"a": [5]}}})
    assert nested == {"s": {"grid": {"a": [5]}}}  # a mapping value is replaced whole, not merged


@pytest.mark.parametrize("update,fragments", [
    ({"trainig": {"batch_size": 1}}, ["unknown key 'trainig'", "did you mean 'training'", "valid keys: 'training', 'network'"]),
    ({"training": {"learnign_rate": 1}}, ["unknown key 'training.learnign_rate'", "did you mean 'training.learning_rate'",
                                          "valid keys: 'learning_rate', 'batch_size'"]),
    ({"network": {"zzzz": 1}}, ["unknown key 'network.zzzz'", "valid keys: 'hidden_dim'"]),
    ({"training": 5}, ["'training' must be a mapping of keys 'learning_rate', 'batch_size', got 5"]),
])
def test_merge_refuses_what_the_tree_does_not_have(update, fragments):
    message = raises(fragments, merge, TREE, update)
    assert ("did you mean" in message) == any("did you mean" in f for f in fragments)


def test_set_dotted():
    tree = merge(TREE, {})
    set_dotted(tree, "training.batch_size", 8)
    assert tree["training"]["batch_size"] == 8
    raises(["unknown section 'trainig' in 'trainig.x'", "did you mean 'training'", "valid sections: 'training', 'network'"],
           set_dotted, tree, "trainig.x", 1)
    raises(["unknown key 'training.learnign_rate'", "did you mean 'training.learning_rate'",
            "valid keys in 'training': 'learning_rate', 'batch_size'"], set_dotted, tree, "training.learnign_rate", 1)


# --- build_section ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Study:
    tasks: list[str]
    seeds: list[int] = field(metadata={"unique": True})
    epochs: int = at_least(10, 1)
    internal: str = field(default="", init=False)


def test_build_section_checks_every_value_under_its_key():
    s = build_section(Study, "study", {"tasks": ["a"], "seeds": [1, 2]})
    assert (s.tasks, s.seeds, s.epochs, s.internal) == (["a"], [1, 2], 10, "")
    with pytest.raises(FieldError, match=r"^study\.epochs: 0 is invalid; it must be at least 1$") as info:
        build_section(Study, "study", {"tasks": ["a"], "seeds": [1], "epochs": 0})
    assert info.value.key == "study.epochs"


def test_without_a_name_the_keys_are_bare():
    with pytest.raises(FieldError, match=r"^seeds: \[1\] listed twice") as info:
        build_section(Study, "", {"tasks": ["a"], "seeds": [1, 1]})
    assert info.value.key == "seeds"


@pytest.mark.parametrize("name,key", [("study", "study.seeds"), ("", "seeds")])
def test_a_required_key_that_is_missing_is_named(name, key):
    with pytest.raises(FieldError) as info:
        build_section(Study, name, {"tasks": ["a"]})
    assert str(info.value) == f"{key!r} is missing" and info.value.key == key


# --- read_yaml_lines --------------------------------------------------------------------------------


def test_yaml_with_the_line_of_each_key():
    data, lines = read_yaml_lines("# a comment\na: 1\nb:\n  c: 2\n\n  d: [1, 2]\n")
    assert data == {"a": 1, "b": {"c": 2, "d": [1, 2]}}
    assert lines == {"a": 2, "b": 3, ("b", "c"): 4, ("b", "d"): 6}
    assert read_yaml_lines("") == (None, {}) and read_yaml_lines("- 1\n- 2\n") == ([1, 2], {})


@pytest.mark.parametrize("text,message", [
    ("a: 1\nb: 2\na: 3\n", "line 3: duplicate key 'a' (first given on line 1); each key may appear once"),
    ("a:\n  b: 1\n  b: 2\n", "line 3: duplicate key 'b' (first given on line 2); each key may appear once"),
    ("a: {b: 1, b: 2}\n", "line 1: duplicate key 'b' (first given on line 1); each key may appear once"),
])
def test_a_key_given_twice_is_refused_with_both_lines(text, message):
    """PyYAML alone keeps the last value silently: two variants of one name would become one."""
    with pytest.raises(ConfigError) as info:
        read_yaml_lines(text)
    assert str(info.value) == message


@pytest.mark.parametrize("text,message", [
    ("a: [1,\n", "not valid YAML: line 2, column 1: expected the node content, but found '<stream end>'"),
    ("a: 1\n b: 2\n", "not valid YAML: line 2, column 3: mapping values are not allowed here"),
    ('a: "x\n', "not valid YAML: line 2, column 1: found unexpected end of stream"),
    ("a: 1\n\tb: 2\n", "not valid YAML: line 2, column 1:"),
])
def test_a_syntax_error_names_its_line_and_column(text, message):
    with pytest.raises(ConfigError) as info:
        read_yaml_lines(text)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)
