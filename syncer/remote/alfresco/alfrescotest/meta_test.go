package alfrescotest

import (
	"net/http"
	"slices"
	"testing"
)

// TestTitleDescriptionAuthorAsRealAlfresco: PUT nodes/{id} with cm:title, cm:description and
// cm:author stores them (on files and folders) and adds cm:titled and cm:author, as
// DbNodeServiceImpl.addAspectsAndProperties does for properties of an aspect; listings with
// include=properties show them; modifiedAt moves; an empty value reads as no value
// (NodesImpl.mapFromNodeProperties) while the aspect stays. (Real Alfresco also takes null
// to unset one, but the API definition types property values as strings, so the contract
// check refuses it: the client sends "".)
func TestTitleDescriptionAuthorAsRealAlfresco(t *testing.T) {
	_, lib, a := startReal(t, Options{})
	must(t, lib.Write("A/doc.txt", []byte("text")))
	id := lib.ID("A/doc.txt")
	_, before := a.do("GET", "/nodes/"+id, "")
	st, m := a.do("PUT", "/nodes/"+id+"?include=properties,aspectNames",
		`{"properties":{"cm:title":"Q4 & plans","cm:description":"two\nlines","cm:author":"Ann"}}`)
	if st != http.StatusOK {
		t.Fatalf("PUT properties: %d %v", st, m)
	}
	props, _ := entry(m)["properties"].(map[string]any)
	if props["cm:title"] != "Q4 & plans" || props["cm:description"] != "two\nlines" || props["cm:author"] != "Ann" {
		t.Errorf("properties after PUT: %v", props)
	}
	aspects := func(e map[string]any) []string {
		var out []string
		for _, v := range e["aspectNames"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	if as := aspects(entry(m)); !slices.Contains(as, "cm:titled") || !slices.Contains(as, "cm:author") {
		t.Errorf("aspects after PUT: %v, want cm:titled and cm:author added", as)
	}
	if entry(m)["modifiedAt"] == entry(before)["modifiedAt"] {
		t.Errorf("modifiedAt did not move with a property change")
	}
	must(t, lib.SetProperties("A", map[string]any{"cm:title": "folder title"}))
	_, l := a.do("GET", "/nodes/"+lib.ID("")+"/children?include=properties", "")
	var folderTitle any
	for _, e := range entries(l) {
		if p, ok := e["properties"].(map[string]any); ok && e["name"] == "A" {
			folderTitle = p["cm:title"]
		}
	}
	if folderTitle != "folder title" {
		t.Errorf("listing with include=properties: folder title %v", folderTitle)
	}

	st, m = a.do("PUT", "/nodes/"+id+"?include=properties,aspectNames",
		`{"properties":{"cm:title":"","cm:description":"","cm:author":"Ann"}}`)
	props, _ = entry(m)["properties"].(map[string]any)
	_, hasTitle := props["cm:title"]
	if _, hasDesc := props["cm:description"]; st != http.StatusOK || hasTitle || hasDesc || props["cm:author"] != "Ann" {
		t.Errorf("after unsetting title and description: %d %v", st, props)
	}
	if as := aspects(entry(m)); !slices.Contains(as, "cm:titled") {
		t.Errorf("aspects after unsetting: %v, want cm:titled kept", as)
	}
}
