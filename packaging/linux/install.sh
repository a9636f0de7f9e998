#!/usr/bin/env bash
# Installs cloudsync for one user (PREFIX=~/.local) or system-wide (PREFIX=/usr/local):
# the binary, the .desktop entry, icons, and the file-manager actions "View in Cloud" and
# "Request Sync" for Nautilus (scripts), Nemo (actions), Dolphin (service menu) and Thunar
# (custom actions merged into uca.xml). With AUTOSTART=1, also the autostart entry (the
# app writes or removes that entry itself when "Start at login" is switched).
#
# usage: install.sh PREFIX BINARY   (environment: AUTOSTART=1, THUNAR_UCA=FILE,
#                                    AUTOSTART_DIR=DIR)
set -euo pipefail
prefix=${1:?usage: install.sh PREFIX BINARY}
bin=${2:?usage: install.sh PREFIX BINARY}
here=$(cd "$(dirname "$0")" && pwd)
id=io.github.cloudsync.cloudsync
bindir=$prefix/bin
share=$prefix/share

subst() { # subst SRC DST MODE: copy SRC with @BINDIR@ replaced
	mkdir -p "$(dirname "$2")"
	sed "s|@BINDIR@|$bindir|g" "$1" >"$2.tmp"
	chmod "$3" "$2.tmp"
	mv -f "$2.tmp" "$2"
	echo "  $2"
}

echo "installing cloudsync into $prefix"
install -D -m 0755 "$bin" "$bindir/cloudsync"
echo "  $bindir/cloudsync"
subst "$here/$id.desktop.in" "$share/applications/$id.desktop" 0644
for d in "$here"/icons/hicolor/*/apps; do
	size=$(basename "$(dirname "$d")")
	install -D -m 0644 "$d/$id.png" "$share/icons/hicolor/$size/apps/$id.png"
done
install -D -m 0644 "$here/icons/$id.svg" "$share/icons/hicolor/scalable/apps/$id.svg"
echo "  $share/icons/hicolor/{16..256,scalable}/apps/$id.*"

# Nautilus: scripts in <data>/nautilus/scripts (right-click → Scripts → …).
for f in "$here"/nautilus/*.in; do
	name=$(basename "$f" .in)
	subst "$f" "$share/nautilus/scripts/$name" 0755
done
# Nemo: actions in <data>/nemo/actions.
for f in "$here"/nemo/*.in; do
	subst "$f" "$share/nemo/actions/$(basename "$f" .in)" 0644
done
# Dolphin (KF5 ≥ 5.85 and KF6): service menus in <data>/kio/servicemenus, executable.
for f in "$here"/dolphin/*.in; do
	subst "$f" "$share/kio/servicemenus/$(basename "$f" .in)" 0755
done
# Thunar: custom actions live in one file, uca.xml; our actions are merged in (replacing
# earlier cloudsync actions, keeping the user's).
if [[ -z ${THUNAR_UCA:-} ]]; then
	if [[ $prefix == "$HOME/.local" ]]; then
		THUNAR_UCA=${XDG_CONFIG_HOME:-$HOME/.config}/Thunar/uca.xml
	else
		THUNAR_UCA=$prefix/etc/xdg/Thunar/uca.xml
	fi
fi
snippet=$(sed "s|@BINDIR@|$bindir|g" "$here/thunar/uca-cloudsync.xml.in")
mkdir -p "$(dirname "$THUNAR_UCA")"
python3 - "$THUNAR_UCA" "$snippet" <<'PY'
import re, sys, os
path, snippet = sys.argv[1], sys.argv[2]
try:
    text = open(path, encoding="utf-8").read()
except FileNotFoundError:
    text = '<?xml version="1.0" encoding="UTF-8"?>\n<actions>\n</actions>\n'
# Drop earlier cloudsync actions, then add ours before </actions>.
text = re.sub(r"<action>(?:(?!</action>).)*<unique-id>cloudsync-[^<]*</unique-id>(?:(?!</action>).)*</action>\s*", "", text, flags=re.S)
if "</actions>" not in text:
    sys.exit("uca.xml has no </actions>: not touching it")
text = text.replace("</actions>", snippet.strip() + "\n</actions>", 1)
tmp = path + ".tmp"
open(tmp, "w", encoding="utf-8").write(text)
os.replace(tmp, path)
PY
echo "  $THUNAR_UCA (cloudsync actions merged)"

if [[ ${AUTOSTART:-0} == 1 ]]; then
	dir=${AUTOSTART_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/autostart}
	subst "$here/$id.desktop.in" "$dir/$id.desktop" 0644
	echo "X-GNOME-Autostart-enabled=true" >>"$dir/$id.desktop"
fi
if command -v update-desktop-database >/dev/null 2>&1; then
	update-desktop-database -q "$share/applications" 2>/dev/null || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [[ -f $share/icons/hicolor/index.theme ]]; then
	gtk-update-icon-cache -q "$share/icons/hicolor" 2>/dev/null || true
fi
echo "done. Start it with: $bindir/cloudsync"
