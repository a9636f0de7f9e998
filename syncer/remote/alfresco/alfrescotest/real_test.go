package alfrescotest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// api is a raw client of a started test server, signed in as one user.
type api struct {
	t          *testing.T
	url        string
	user, pass string
}

// do sends a request to the core API and returns the status and the decoded JSON reply.
func (a api) do(method, path, body string) (int, map[string]any) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.url+"/alfresco/api/-default-/public/alfresco/versions/1"+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.SetBasicAuth(a.user, a.pass)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		if method == http.MethodPut && strings.HasSuffix(strings.Split(path, "?")[0], "/content") {
			req.Header.Set("Content-Type", "application/octet-stream")
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func entry(m map[string]any) map[string]any { e, _ := m["entry"].(map[string]any); return e }

func entries(m map[string]any) []map[string]any {
	l, _ := m["list"].(map[string]any)
	es, _ := l["entries"].([]any)
	var out []map[string]any
	for _, e := range es {
		out = append(out, entry(e.(map[string]any)))
	}
	return out
}

func startReal(t *testing.T, opts Options) (*Server, *Library, api) {
	t.Helper()
	s := Start(t, opts)
	s.AddUser("alice", "pw")
	s.AddUser("bob", "pw")
	s.AddSite(DefaultNetwork, "docs", "Docs", map[string]string{"alice": "SiteContributor", "bob": "SiteManager"})
	return s, s.Library(DefaultNetwork, "docs"), api{t: t, url: s.URL, user: "alice", pass: "pw"}
}

// TestLinksReportTheirTargetsKind: an app:filelink is a file and an app:folderlink a folder
// (neither has content or children), a cm:link takes its destination's kind; listings
// include them; isLink tells them apart; downloading a file link is a 400.
func TestLinksReportTheirTargetsKind(t *testing.T) {
	_, lib, a := startReal(t, Options{})
	must(t, lib.Write("A/doc.txt", []byte("text")))
	must(t, lib.AddLink("B/Link to doc.txt", "A/doc.txt", "app:filelink"))
	must(t, lib.AddLink("B/Link to A", "A", "app:folderlink"))
	must(t, lib.AddLink("B/plain to A", "A", "cm:link"))
	must(t, lib.AddLink("B/plain to doc", "A/doc.txt", "cm:link"))
	_, b := a.do("GET", "/nodes/"+lib.ID("B")+"/children?include=isLink,properties", "")
	got := map[string]string{}
	for _, e := range entries(b) {
		got[e["name"].(string)] = e["nodeType"].(string) + " folder=" + boolStr(e["isFolder"]) + " file=" + boolStr(e["isFile"]) + " link=" + boolStr(e["isLink"])
		if e["content"] != nil {
			t.Errorf("%s has content %v", e["name"], e["content"])
		}
	}
	want := map[string]string{
		"Link to doc.txt": "app:filelink folder=false file=true link=true",
		"Link to A":       "app:folderlink folder=true file=false link=true",
		"plain to A":      "cm:link folder=true file=false link=true",
		"plain to doc":    "cm:link folder=false file=true link=true",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	if st, _ := a.do("GET", "/nodes/"+lib.ID("B/Link to doc.txt")+"/content", ""); st != http.StatusBadRequest {
		t.Errorf("download of a file link: %d, want 400", st)
	}
	if st, l := a.do("GET", "/nodes/"+lib.ID("B/Link to A")+"/children", ""); st != http.StatusOK || len(entries(l)) != 0 {
		t.Errorf("children of a folder link: %d %v, want an empty listing", st, entries(l))
	}
}

func boolStr(v any) string {
	b, _ := v.(bool)
	if b {
		return "true"
	}
	return "false"
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestFolderTimestampsAreLateMergedAndSkipped: with LateFolderTimestamps a folder's
// modifiedAt changes after the change of its children, not within a second of its last
// change, and not for a checkout; a restored node keeps its old modifiedAt.
func TestFolderTimestampsAreLateMergedAndSkipped(t *testing.T) {
	clock := NewManualClock(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
	advance := clock.Advance
	s, lib, _ := startReal(t, Options{LateFolderTimestamps: true, FolderDelay: time.Hour, Clock: clock.Now})
	must(t, lib.Mkdir("F"))
	folder := func() time.Time {
		s.mu.Lock()
		defer s.mu.Unlock()
		n, _ := lib.find("F")
		return n.modified
	}
	t0 := folder()
	must(t, lib.Write("F/a.txt", []byte("a")))
	if folder() != t0 {
		t.Fatal("the folder changed at once")
	}
	s.Settle()
	if folder() != t0 {
		t.Fatal("a change within 1 s of the folder's last one was not merged")
	}
	advance(1100 * time.Millisecond)
	must(t, lib.Write("F/b.txt", []byte("b")))
	s.Settle()
	t1 := folder()
	if !t1.After(t0.Add(time.Second)) {
		t.Fatalf("the folder did not follow a later change: %v → %v", t0, t1)
	}
	advance(1100 * time.Millisecond)
	if _, err := lib.Checkout("F/a.txt", "bob"); err != nil {
		t.Fatal(err)
	}
	s.Settle()
	if folder() != t1 {
		t.Fatal("a checkout changed the folder's modifiedAt")
	}
	if _, ok := lib.Files("F")["a (Working Copy).txt"]; !ok {
		t.Fatalf("no working copy: %v", lib.Files("F"))
	}
}

// TestOwnerRoles: a Contributor creates and changes its own, not others'; a Collaborator
// edits and renames others' but neither deletes nor moves them.
func TestOwnerRoles(t *testing.T) {
	s, lib, a := startReal(t, Options{OwnerRoles: true})
	must(t, lib.WriteAs("bob", "theirs.txt", []byte("bob's")))
	must(t, lib.Mkdir("Sub"))
	theirs, sub := lib.ID("theirs.txt"), lib.ID("Sub")
	st, mine := a.do("POST", "/nodes/"+sub+"/children", `{"name":"mine","nodeType":"cm:folder"}`)
	if st != http.StatusCreated {
		t.Fatalf("Contributor creating a folder: %d", st)
	}
	for _, tc := range []struct {
		role, method, path, body string
		want                     int
	}{
		{"SiteContributor", "PUT", "/nodes/" + theirs + "/content?majorVersion=false", "x", 403},
		{"SiteContributor", "PUT", "/nodes/" + theirs, `{"name":"renamed.txt"}`, 403},
		{"SiteContributor", "POST", "/nodes/" + theirs + "/move", `{"targetParentId":"` + sub + `"}`, 403},
		{"SiteContributor", "DELETE", "/nodes/" + theirs, "", 403},
		{"SiteContributor", "PUT", "/nodes/" + entry(mine)["id"].(string), `{"name":"mine2"}`, 200},
		{"SiteCollaborator", "PUT", "/nodes/" + theirs + "/content?majorVersion=false", "x", 200},
		{"SiteCollaborator", "PUT", "/nodes/" + theirs, `{"name":"renamed.txt"}`, 200},
		{"SiteCollaborator", "POST", "/nodes/" + theirs + "/move", `{"targetParentId":"` + sub + `"}`, 403},
		{"SiteCollaborator", "DELETE", "/nodes/" + theirs, "", 403},
		{"SiteConsumer", "POST", "/nodes/" + sub + "/children", `{"name":"x","nodeType":"cm:folder"}`, 403},
		{"SiteManager", "DELETE", "/nodes/" + theirs, "", 204},
	} {
		s.SetRole(DefaultNetwork, "docs", "alice", tc.role)
		if st, _ := a.do(tc.method, tc.path, tc.body); st != tc.want {
			t.Errorf("%s %s %s: %d, want %d", tc.role, tc.method, tc.path, st, tc.want)
		}
	}
}

// TestVersioningFollowsAutoVersion: a content change makes a version only with
// cm:autoVersion; cm:autoVersionOnUpdateProps makes a title change a version; a move
// touches the node with MoveTouchesNode.
func TestVersioningFollowsAutoVersion(t *testing.T) {
	_, lib, a := startReal(t, Options{MoveTouchesNode: true})
	must(t, lib.Write("v.txt", []byte("one")))
	must(t, lib.Write("v.txt", []byte("two")))
	if v := lib.Version("v.txt"); v != "1.1" {
		t.Fatalf("auto-versioned edit: label %s, want 1.1", v)
	}
	must(t, lib.SetVersioning("v.txt", true, false, false))
	get := func() (string, string) {
		_, m := a.do("GET", "/nodes/"+lib.ID("v.txt"), "")
		e := entry(m)
		return e["properties"].(map[string]any)["cm:versionLabel"].(string), e["modifiedAt"].(string)
	}
	l0, m0 := get()
	time.Sleep(2 * time.Millisecond)
	must(t, lib.Write("v.txt", []byte("six")))
	if l1, m1 := get(); l1 != l0 || m1 == m0 {
		t.Fatalf("same-size edit without cm:autoVersion: label %s→%s, modifiedAt %s→%s; want same label, new modifiedAt", l0, l1, m0, m1)
	}
	must(t, lib.SetVersioning("v.txt", true, true, true))
	must(t, lib.SetTitle("v.txt", "a title"))
	if l2, _ := get(); l2 == l0 {
		t.Fatal("a title change with cm:autoVersionOnUpdateProps made no version")
	}
	_, m3 := get()
	time.Sleep(2 * time.Millisecond)
	must(t, lib.Rename("v.txt", "Sub/v.txt"))
	_, m := a.do("GET", "/nodes/"+lib.ID("Sub/v.txt"), "")
	if entry(m)["modifiedAt"] == m3 {
		t.Fatal("a move did not touch the node")
	}
}

// TestCheckoutEras: a checked-out original refuses new content with 409 (7.x, 23.x), or
// (26.2, CheckinOnPut) takes it into the working copy and checks it in.
func TestCheckoutEras(t *testing.T) {
	for _, era := range []struct {
		name    string
		checkin bool
	}{{"7.x", false}, {"26.2", true}} {
		t.Run(era.name, func(t *testing.T) {
			_, lib, a := startReal(t, Options{CheckinOnPut: era.checkin})
			must(t, lib.Write("c.txt", []byte("original")))
			id := lib.ID("c.txt")
			st, wc := a.do("POST", "/nodes/"+id+"/checkout", "{}")
			if st != http.StatusOK || entry(wc)["name"] != "c (Working Copy).txt" {
				t.Fatalf("checkout: %d %v", st, entry(wc))
			}
			_, orig := a.do("GET", "/nodes/"+id+"?include=isLocked", "")
			if !strings.Contains(jsonOf(entry(orig)["aspectNames"]), "cm:checkedOut") || entry(orig)["isLocked"] != true {
				t.Fatalf("original after checkout: %v", entry(orig))
			}
			a.user = "bob"
			st, _ = a.do("PUT", "/nodes/"+id+"/content?majorVersion=false", "bob's edit")
			got, _ := lib.Read("c.txt")
			_, wcLeft := lib.Files("")["c (Working Copy).txt"]
			switch {
			case !era.checkin && (st != http.StatusConflict || string(got) != "original" || !wcLeft):
				t.Fatalf("7.x: PUT to a checked-out original: %d, content %q, working copy kept %v", st, got, wcLeft)
			case era.checkin && (st != http.StatusOK || string(got) != "bob's edit" || wcLeft):
				t.Fatalf("26.2: PUT to a checked-out original: %d, content %q, working copy kept %v", st, got, wcLeft)
			}
		})
	}
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestTrashcanHomeAndShared: -my- is the user's home, -shared- Company Home/Shared; a
// deleted node is listed in the trashcan with archivedAt, restored to its place with its
// old modifiedAt, and purged.
func TestTrashcanHomeAndShared(t *testing.T) {
	_, lib, a := startReal(t, Options{TrimRelativePath: true})
	if st, m := a.do("POST", "/nodes/-my-/children", `{"name":"mine","nodeType":"cm:folder"}`); st != http.StatusCreated {
		t.Fatalf("create in -my-: %d %v", st, m)
	}
	if st, m := a.do("GET", "/nodes/-shared-", ""); st != http.StatusOK || entry(m)["name"] != "Shared" {
		t.Fatalf("-shared-: %d %v", st, m)
	}
	if st, _ := (api{t: t, url: a.url, user: "bob", pass: "pw"}).do("GET", "/nodes/-my-/children?relativePath=mine", ""); st != http.StatusNotFound {
		t.Fatalf("bob's -my- is not alice's: %d", st)
	}
	must(t, lib.WriteAs("alice", " lead.txt", []byte("x")))
	if st, _ := a.do("GET", "/nodes/"+lib.ID("")+"?relativePath=%20lead.txt", ""); st != http.StatusNotFound {
		t.Fatalf("relativePath ' lead.txt' resolved although Alfresco trims it: %d", st)
	}
	id := lib.ID(" lead.txt")
	_, before := a.do("GET", "/nodes/"+id, "")
	if st, _ := a.do("DELETE", "/nodes/"+id, ""); st != http.StatusNoContent {
		t.Fatal(st)
	}
	_, l := a.do("GET", "/deleted-nodes?include=path", "")
	if es := entries(l); len(es) != 1 || es[0]["id"] != id || es[0]["archivedAt"] == nil {
		t.Fatalf("trashcan: %v", es)
	}
	if st, m := a.do("POST", "/deleted-nodes/"+id+"/restore", ""); st != http.StatusOK || entry(m)["modifiedAt"] != entry(before)["modifiedAt"] {
		t.Fatalf("restore: %d %v (before %v)", st, entry(m), entry(before))
	}
	if st, _ := a.do("DELETE", "/nodes/"+id, ""); st != http.StatusNoContent {
		t.Fatal(st)
	}
	if st, _ := a.do("DELETE", "/deleted-nodes/"+id, ""); st != http.StatusNoContent {
		t.Fatalf("purge: %d", st)
	}
	if st, _ := a.do("GET", "/deleted-nodes/"+id, ""); st != http.StatusNotFound {
		t.Fatalf("purged node still in the trashcan: %d", st)
	}
}
