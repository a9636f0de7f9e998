# cloudsync — build, run and test. `make run` and `make test` work on a fresh Debian machine:
# each first runs `make deps`, which installs what is missing.
SHELL := /bin/bash
GO ?= go
export GOFLAGS ?= -mod=mod
BIN := bin/cloudsync

# Debian packages: runtime test servers and the real keyring (engine issue), and the GUI
# build and headless test stack (desktop issue).
DEB_TEST := rclone dbus-daemon dbus-bin gnome-keyring libsecret-tools ca-certificates
DEB_GUI  := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
            libxinerama-dev libxi-dev libxxf86vm-dev libxkbcommon-dev libwayland-dev xvfb xauth \
            imagemagick xdotool desktop-file-utils python3
DEB_ALL  := $(DEB_TEST) $(DEB_GUI)

# Installation (make install): PREFIX=~/.local for one user, /usr/local system-wide;
# AUTOSTART=1 also installs the autostart entry (the app manages it from Preferences too).
PREFIX ?= $(HOME)/.local
# The fyne packaging tool (a go tool of this module) and the bundle `make package` writes.
FYNE := $(GO) tool fyne
DIST := dist

.PHONY: all build run test test-short test-gui bench deps godeps vet clean install package

all: build

deps: godeps
	@missing=$$(for p in $(DEB_ALL); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing $$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "deps: missing Debian packages; run:"; echo "  sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

godeps:
	$(GO) mod download

build: godeps
	$(GO) build -o $(BIN) ./cmd/cloudsync

run: deps build
	./$(BIN)

vet:
	$(GO) vet ./...

# The full suite: unit, property, scenario (in-process and rclone WebDAV), keyring (real
# gnome-keyring in a private D-Bus session) and CLI/daemon tests.
test: deps build vet
	CLOUDSYNC_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 25m ./...
	CLOUDSYNC_BIN=$(CURDIR)/$(BIN) ./scripts/keyring-test.sh
	$(MAKE) --no-print-directory test-gui

# The desktop app in a real window: Xvfb + a private D-Bus session + an unlocked
# gnome-keyring, against a `make install` into a temporary PREFIX (see
# scripts/gui-test.sh; screenshots go to artifacts/).
test-gui: build
	@prefix=$$(mktemp -d); \
	$(MAKE) --no-print-directory install PREFIX=$$prefix THUNAR_UCA=$$prefix/etc/xdg/Thunar/uca.xml >/dev/null && \
	CLOUDSYNC_BIN=$(CURDIR)/$(BIN) CLOUDSYNC_INSTALL_PREFIX=$$prefix ./scripts/gui-test.sh; \
	rc=$$?; rm -rf $$prefix; exit $$rc

# Installs the binary, the .desktop entry, icons and the file-manager actions (Nautilus,
# Nemo, Dolphin, Thunar) under PREFIX (packaging/linux/install.sh).
install: build
	AUTOSTART=$(AUTOSTART) ./packaging/linux/install.sh "$(PREFIX)" "$(CURDIR)/$(BIN)"

# The Linux bundle (dist/cloudsync.tar.xz) made by `fyne package` from FyneApp.toml and the
# binary built above (so the cgo build is not repeated with fyne's own flags). fyne
# rewrites FyneApp.toml (build number), so it reads a staged copy; it writes the bundle to
# the current folder, from where it moves to dist/.
package: build
	@stage=$$(mktemp -d); trap 'rm -rf "$$stage"' EXIT; \
	mkdir -p $$stage/packaging $(DIST) && cp FyneApp.toml $$stage/ && cp packaging/icon.png $$stage/packaging/ && \
	printf 'package main\n' >$$stage/main.go && \
	$(FYNE) package --os linux --src $$stage --exe $(CURDIR)/$(BIN) && \
	mv -f cloudsync.tar.xz $(DIST)/ && ls -l $(DIST)/cloudsync.tar.xz

test-short:
	$(GO) test -short -count=1 ./...

bench: deps build
	CLOUDSYNC_BIN=$(CURDIR)/$(BIN) $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./...

clean:
	rm -rf bin $(DIST) artifacts
