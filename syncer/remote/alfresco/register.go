package alfresco

import (
	"log/slog"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/registry"
)

// Type is the account type of Alfresco accounts.
const Type = "alfresco"

// Backend describes the Alfresco remote type for the registry (package backends lists it).
// Its tree starts with networks, then sites; a site's document library holds the folders.
func Backend() registry.Backend {
	return registry.Backend{
		Type:  Type,
		Label: "Alfresco",
		Fields: []registry.Field{
			{Key: registry.FieldURL, Label: "Address", Placeholder: "Server address, such as https://acs.example.com",
				Help: "Alfresco: the server, its /alfresco webapp or its /alfresco/api"},
			{Key: registry.FieldUser, Label: "User", Placeholder: "Your Alfresco user name"},
			{Key: registry.FieldPassword, Label: "Password"},
			{Key: registry.FieldWebUI, Label: "Web page", Optional: true},
		},
		Levels: []string{"network", "site"},
		New: func(a model.Account, secret string, log *slog.Logger) (remote.Remote, error) {
			c, err := New(Config{URL: a.URL, User: a.User, Password: secret, WebUI: a.WebUI, Logger: log})
			if err != nil {
				return nil, err
			}
			return c, nil
		},
	}
}
