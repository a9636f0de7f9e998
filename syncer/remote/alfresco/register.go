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
		Fields: registry.AccountFields("Server address, such as https://acs.example.com",
			"Alfresco: the server, its /alfresco webapp or its /alfresco/api", "Your Alfresco user name"),
		Levels: []string{"network", "site"},
		New: func(a model.Account, secret string, log *slog.Logger) (remote.Remote, error) {
			return registry.Built(New(Config{URL: a.URL, User: a.User, Password: secret, WebUI: a.WebUI, Logger: log}))
		},
	}
}
