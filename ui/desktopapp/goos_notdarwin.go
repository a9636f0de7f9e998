//go:build !darwin

package desktopapp

const isDarwin = false
