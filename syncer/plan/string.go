package plan

import (
	"strconv"
	"strings"
)

// String prints the plan one action per line, in order (for logs and golden files).
func (p Plan) String() string {
	var b strings.Builder
	for _, a := range p.Actions {
		b.WriteString(a.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// String prints one action on one line:
//
//	3 upload "a/x.txt" -> "b/x.txt" key=k7 local=1:5 remote=r9 after=1,2 # edited locally
//
// To is shown only when it differs from Path; local= and remote= name the snapshot nodes
// the action carries (a replace, as opposed to a new node, shows the node it replaces).
func (a Action) String() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(a.ID))
	b.WriteByte(' ')
	b.WriteString(string(a.Op))
	b.WriteByte(' ')
	b.WriteString(strconv.Quote(a.Path))
	if a.To != a.Path {
		b.WriteString(" -> " + strconv.Quote(a.To))
	}
	if a.IsDir {
		b.WriteString(" dir")
	}
	if a.Key != "" {
		b.WriteString(" key=" + a.Key)
	}
	if a.Local != nil {
		b.WriteString(" local=" + a.Local.ID)
	}
	if a.Remote != nil {
		b.WriteString(" remote=" + a.Remote.ID)
	}
	if a.Meta != nil {
		b.WriteString(" " + metaString(*a.Meta))
	}
	if a.Reason != "" {
		b.WriteString(" reason=" + string(a.Reason))
	}
	if len(a.After) > 0 {
		b.WriteString(" after=")
		for i, id := range a.After {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(id))
		}
	}
	if a.Note != "" {
		b.WriteString(" # " + a.Note)
	}
	return b.String()
}
