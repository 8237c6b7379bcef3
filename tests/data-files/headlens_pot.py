#!/usr/bin/python3
# Extracts the messages of po/POTFILES.in into a template the way the build
# does (meson's i18n.gettext(preset: 'glib'), po/meson.build), so the tests
# check the messages the sources have now, not a template written earlier.
# Usage as a program: headlens_pot.py SOURCE_ROOT OUTPUT.pot
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import subprocess
import sys

# The arguments of meson's glib preset.
GLIB_PRESET = ["--from-code=UTF-8", "--add-comments", "--keyword=_", "--keyword=N_",
               "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dcgettext:2",
               "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
               "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format",
               "--flag=NC_:2:pass-c-format", "--flag=g_dngettext:2:pass-c-format",
               "--flag=g_strdup_printf:1:c-format", "--flag=g_string_printf:2:c-format",
               "--flag=g_string_append_printf:2:c-format", "--flag=g_error_new:3:c-format",
               "--flag=g_set_error:4:c-format", "--flag=g_markup_printf_escaped:1:c-format",
               "--flag=g_log:3:c-format", "--flag=g_print:1:c-format",
               "--flag=g_printerr:1:c-format", "--flag=g_printf:1:c-format",
               "--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format",
               "--flag=g_snprintf:3:c-format"]


def potfiles(root):
    with open(os.path.join(root, "po", "POTFILES.in"), encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def write_pot(root, pot):
    """Writes the template to POT; returns xgettext's error text, or None."""
    result = subprocess.run(["xgettext", *GLIB_PRESET, "-o", pot, *potfiles(root)],
                            cwd=root, capture_output=True, text=True)
    return None if result.returncode == 0 else "xgettext failed: " + result.stderr


if __name__ == "__main__":
    error = write_pot(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
    if error:
        sys.exit(error)
