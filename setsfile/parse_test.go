package setsfile

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
)

const goodFile = `{"format": "cloudsync-sets", "version": 1, "exported": "2026-12-05T10:00:00Z",
 "accounts": [{"name": "dav", "type": "webdav", "url": "https://h/dav", "user": "alice"}],
 "sets": [{"account": "dav", "kind": "folder", "local": "/home/a/P", "cloud": "P",
   "options": {"include_subfolders": true, "lock": false, "allow_cloud_delete": true, "delete_local_on_cloud_delete": false}}]}`

func TestParseRejectsEachBadFileWithOneClearError(t *testing.T) {
	cases := []struct{ name, old, new, want string }{
		{"not JSON", goodFile, "{", "not a cloudsync export file"},
		{"other format", `"cloudsync-sets"`, `"rclone"`, "not a cloudsync export file"},
		{"newer version", `"version": 1`, `"version": 2`, "version 2 of the export format; this cloudsync reads version 1"},
		{"unknown field", `"user": "alice"`, `"user": "alice", "password": "x"`, `unknown field "password"`},
		{"missing account name", `"name": "dav", `, ``, "accounts[0]: name is missing"},
		{"bad type", `"type": "webdav"`, `"type": "ftp"`, `unknown account type "ftp": use webdav or alfresco`},
		{"twice", `"user": "alice"}]`, `"user": "alice"}, {"name": "dav", "type": "webdav", "url": "u", "user": "b"}]`, "listed twice"},
		{"missing local", `"local": "/home/a/P", `, ``, "sets[0]: local is missing"},
		{"missing cloud", `"cloud": "P",`, ``, "sets[0]: cloud is missing"},
		{"missing options", `"cloud": "P",` + "\n   " + `"options": {"include_subfolders": true, "lock": false, "allow_cloud_delete": true, "delete_local_on_cloud_delete": false}`, `"cloud": "P"`, "options must give"},
		{"missing one option", `"lock": false, `, ``, "options must give"},
		{"unknown account", `"account": "dav"`, `"account": "work"`, "the account work is not in the file's accounts"},
		{"relative", `"local": "/home/a/P"`, `"local": "P"`, "local must be an absolute path"},
		{"kind", `"kind": "folder"`, `"kind": "tree"`, `kind "tree" is neither folder nor documents`},
		{"documents without any", `"kind": "folder"`, `"kind": "documents"`, "a documents set needs its documents"},
		{"document in a subfolder", `"kind": "folder"`, `"kind": "documents", "documents": ["sub/a.txt"]`, "moved into a subfolder"},
		{"document escaping", `"kind": "folder"`, `"kind": "documents", "documents": ["../a.txt"]`, "is not a file name in that folder"},
		{"cloud with ..", `"cloud": "P"`, `"cloud": "../P"`, "cloud folder:"},
	}
	if _, err := Parse([]byte(goodFile)); err != nil {
		t.Fatalf("the good file: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := strings.Replace(goodFile, c.old, c.new, 1)
			if in == goodFile {
				t.Fatalf("the case changes nothing")
			}
			_, err := Parse([]byte(in))
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line with %q", err, c.want)
			}
		})
	}
}

func TestEncodeParseRoundTrip(t *testing.T) {
	f := &File{Format: Format, Version: Version, Exported: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC),
		Accounts: []Account{{Name: "alf", Type: "alfresco", URL: "https://h", User: "bob", WebUI: "https://h/share"}},
		Sets: []Set{{Account: "alf", Kind: "documents", Local: "/d", Documents: []string{"a.txt"}, Cloud: "-default-/team/x",
			Options: optionsOf(model.Options{AllowCloudDelete: true, Lock: true})}}}
	var b bytes.Buffer
	if err := Encode(&b, f); err != nil {
		t.Fatal(err)
	}
	g, err := Parse(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if g.Sets[0].Options.model() != f.Sets[0].Options.model() || g.Accounts[0] != f.Accounts[0] || g.Sets[0].Cloud != "-default-/team/x" {
		t.Errorf("round trip: %+v", g)
	}
}
