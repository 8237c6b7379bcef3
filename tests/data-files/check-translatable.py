#!/usr/bin/python3
# Checks that what a user reads can be translated:
#  - every user-visible string in the UI files (labels, titles, subtitles,
#    tooltips, placeholders, menu items, list items, accessible labels) is
#    marked translatable="yes";
#  - in the C files, strings handed straight to a label, title, tooltip,
#    toast or dialog are wrapped in _() or N_();
#  - xgettext, run as the build runs it (po/meson.build, the glib preset),
#    extracts every message whole: a msgid with a "%" that starts no
#    conversion was cut short (a format macro such as G_GUINT64_FORMAT ends
#    the string for xgettext; PRIu64 and %zu do not), and the file and line
#    are named.
# Usage: check-translatable.py SOURCE_ROOT
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # nothing written into the source tree
import headlens_pot  # noqa: E402

root = sys.argv[1]
errors = []

# Properties and attributes whose text the user reads.
VISIBLE = {"label", "title", "subtitle", "tooltip-text", "tooltip-markup", "placeholder-text",
           "text", "description", "heading", "body", "secondary-text", "message",
           "placeholder", "button-label", "comments", "summary"}
# Text that is not language: numbers, symbols, format specifiers.
NOT_LANGUAGE = re.compile(r"^[\s\d%.,:;·×−+\-–—/()\[\]{}<>=≈≤≥|_*#'\"…]*$")


def check_ui(path):
    rel = os.path.relpath(path, root)
    tree = ET.parse(path)
    for element in tree.iter():
        name = element.get("name")
        text = (element.text or "").strip()
        visible = (element.tag in ("property", "attribute") and name in VISIBLE) \
            or element.tag == "item" and element.get("id") is None and text
        if not visible or not text or NOT_LANGUAGE.match(text):
            continue
        if element.get("translatable") != "yes":
            errors.append(f"{rel}: <{element.tag} name=\"{name}\"> “{text}” is not marked "
                          "translatable=\"yes\"")


# Calls whose string argument the user reads, with a plain literal.
C_CALLS = re.compile(
    r"\b(gtk_label_set_(?:text|label|markup)|gtk_button_set_label|gtk_widget_set_tooltip_(?:text|markup)"
    r"|gtk_window_set_title|adw_(?:preferences|action|expander|combo|entry)_row_set_(?:title|subtitle)"
    r"|adw_preferences_row_set_title|adw_action_row_set_subtitle|adw_status_page_set_(?:title|description)"
    r"|adw_window_title_set_(?:title|subtitle)|adw_toast_new|adw_toast_set_title"
    r"|adw_message_dialog_(?:set_heading|set_body|add_response)|gtk_label_new"
    r"|gtk_check_button_new_with_label|gtk_button_new_with_label|gtk_entry_set_placeholder_text"
    r"|adw_banner_set_title|hl_dialogs_show_error)\s*\(([^;]*?)\)\s*;", re.S)
# A string argument (possibly several literals concatenated), and what
# precedes it: _( or N_( mark it.
LITERAL = re.compile(r'(^|[(,])\s*((?:"(?:[^"\\]|\\.)*"\s*)+)')
MARKED = re.compile(r"(?:\bN?_\(|\bC_\([^,]*,)$")


def check_c(path):
    rel = os.path.relpath(path, root)
    with open(path, encoding="utf-8") as f:
        source = f.read()
    for call in C_CALLS.finditer(source):
        arguments = call.group(2)
        for literal in LITERAL.finditer(arguments):
            if MARKED.search(arguments[:literal.start(2)].rstrip()):
                continue
            text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', literal.group(2)))
            if NOT_LANGUAGE.match(text) or re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)*", text):
                continue  # symbols, or ids such as response names
            line = source.count("\n", 0, call.start()) + 1
            errors.append(f"{rel}:{line}: {call.group(1)} gets “{text}” without _()")


def check_pot():
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "headlens.pot")
        error = headlens_pot.write_pot(root, pot)
        if error:
            errors.append(error)
            return
        with open(pot, encoding="utf-8") as f:
            text = f.read()
    conversion = re.compile(r"%(%|(\d+\$)?[-+ #0']*(\d+|\*)?(\.(\d+|\*))?"
                            r"(hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcspn]|<PRI[diouxX](8|16|32|64|PTR|MAX)>)")
    for entry in text.split("\n\n"):
        where = re.findall(r"^#: (.*)$", entry, flags=re.M)
        msgid = "".join(re.findall(r'^(?:msgid|msgid_plural)? ?"(.*)"$',
                                   entry.split("msgstr")[0], flags=re.M))
        if "%" not in msgid:
            continue
        # A cut message ends in "%" (and is not marked c-format, being no
        # valid format); in a format, every "%" must start a conversion.
        rest = conversion.sub("", msgid)
        if msgid.endswith("%") and not msgid.endswith("%%") or ("c-format" in entry and "%" in rest):
            errors.append(f"{' '.join(where)}: the message “{msgid}” is cut short or has a "
                          "format xgettext does not know (use PRIu64, PRId64 or %zu, not "
                          "G_GUINT64_FORMAT)")


for dirpath, _, names in os.walk(os.path.join(root, "ui")):
    for name in names:
        if name.endswith(".ui"):
            check_ui(os.path.join(dirpath, name))
for dirpath, _, names in os.walk(os.path.join(root, "src")):
    for name in names:
        if name.endswith(".c"):
            check_c(os.path.join(dirpath, name))
check_pot()
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
