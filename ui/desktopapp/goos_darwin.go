package desktopapp

const isDarwin = true
