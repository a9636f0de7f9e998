package webdav

import (
	"log/slog"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/registry"
)

// Type is the account type of WebDAV accounts (and of the local cloud, a WebDAV server).
const Type = "webdav"

// Backend describes the WebDAV remote type for the registry (package backends lists it).
func Backend() registry.Backend {
	return registry.Backend{
		Type:  Type,
		Label: "WebDAV",
		Fields: registry.AccountFields("Server address, starting with https://",
			"WebDAV: the folder under which paths are taken", "Your user name on the server"),
		New: func(a model.Account, secret string, log *slog.Logger) (remote.Remote, error) {
			return registry.Built(New(Config{URL: a.URL, User: a.User, Password: secret, WebUI: a.WebUI,
				Logger: log, Capabilities: a.Capabilities}))
		},
	}
}
