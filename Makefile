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
            libxinerama-dev libxi-dev libxxf86vm-dev libxkbcommon-dev xvfb xauth imagemagick xdotool \
            desktop-file-utils
DEB_ALL  := $(DEB_TEST) $(DEB_GUI)

.PHONY: all build run test test-short bench deps godeps vet clean

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

test-short:
	$(GO) test -short -count=1 ./...

bench: deps build
	CLOUDSYNC_BIN=$(CURDIR)/$(BIN) $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./...

clean:
	rm -rf bin
