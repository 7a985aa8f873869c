"""English is complete: every string the interface shows has its translation."""
import importlib.util
import xml.etree.ElementTree as ElementTree
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("build", REPO / ".ci" / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)


def translations():
    found = {}
    for context in ElementTree.parse(build.TS_FILE).getroot().iter("context"):
        for message in context.iter("message"):
            translation = message.find("translation")
            finished = translation.get("type") != "unfinished" and translation.text
            found[(context.find("name").text, message.find("source").text)] = translation.text if finished else None
    return found


def test_every_interface_string_has_an_english_translation():
    known = translations()
    missing = [text for key in build.source_strings() for text in [key[1]] if not known.get(key)]
    assert missing == [], "run `.venv/bin/python .ci/build.py ts` and translate: %s" % missing[:10]


def test_placeholders_survive_translation():
    for (_, source), translation in translations().items():
        if translation:
            for placeholder in ("{0}", "{1}", "%s", "%d"):
                assert source.count(placeholder) == translation.count(placeholder), source
