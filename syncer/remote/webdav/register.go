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
		Fields: []registry.Field{
			{Key: registry.FieldURL, Label: "Address", Placeholder: "Server address, starting with https://",
				Help: "WebDAV: the folder under which paths are taken"},
			{Key: registry.FieldUser, Label: "User", Placeholder: "Your user name on the server"},
			{Key: registry.FieldPassword, Label: "Password"},
			{Key: registry.FieldWebUI, Label: "Web page", Optional: true},
		},
		New: func(a model.Account, secret string, log *slog.Logger) (remote.Remote, error) {
			c, err := New(Config{URL: a.URL, User: a.User, Password: secret, WebUI: a.WebUI,
				Logger: log, Capabilities: a.Capabilities})
			if err != nil {
				return nil, err
			}
			return c, nil
		},
	}
}
