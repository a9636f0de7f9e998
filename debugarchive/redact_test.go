package debugarchive

import (
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/model"
)

func TestRedactHidesWhatLooksLikeASecret(t *testing.T) {
	cases := []struct{ in, secret string }{
		{`msg=login ticket=TICKET_7f3a9e01bb`, "TICKET_7f3a9e01bb"},
		{`GET /alfresco/api/-default-/public/x?alf_ticket=TICKET_99&skip=0`, "99"},
		{`header Authorization: Basic dXNlcjpwYXNz`, "dXNlcjpwYXNz"},
		{`"authorization":"Bearer abc.def.ghi"`, "abc.def.ghi"},
		{`url=https://alice:s3cr3t@dav.example/remote.php`, "s3cr3t"},
		{`password=hunter2 user=alice`, "hunter2"},
		{`{"token": "tok-123"}`, "tok-123"},
	}
	for _, c := range cases {
		if got := Redact(c.in); strings.Contains(got, c.secret) || !strings.Contains(got, "REDACTED") {
			t.Errorf("Redact(%q) = %q", c.in, got)
		}
	}
	for _, keep := range []string{`msg="uploaded" path=/home/a/Docs/report.docx status=synced`, `user=alice url=https://dav.example/x`} {
		if got := Redact(keep); got != keep {
			t.Errorf("Redact(%q) = %q: changed a line with no secret", keep, got)
		}
	}
}

func TestAccountAddressesLoseTheirPassword(t *testing.T) {
	a := withoutSecrets(model.Account{Name: "n", URL: "https://alice:s3cr3t@dav.example/x", WebUI: "https://h/{path}"})
	if strings.Contains(a.URL, "s3cr3t") || !strings.Contains(a.URL, "alice") || a.WebUI != "https://h/{path}" {
		t.Errorf("%+v", a)
	}
}
