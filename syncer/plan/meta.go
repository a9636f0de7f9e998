package plan

import (
	"strconv"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Metadata (SPEC §3): title, description and author are synced with the same rules as
// content, field by field. A field changed on one side since the base takes that side's
// value; changed on both sides to different values, the cloud wins (nothing else is lost:
// a conflict copy of the content is the local inode itself, which keeps its extended
// attributes). A metadata-only change is a Meta action, which transfers no content; with a
// content change the transfer carries the metadata (Action.Meta). Without a trusted base
// for it, metadata merges without deleting anything.

// MergeMeta merges an item's metadata field by field: local and cloud are the two sides
// now, base what both had at the last sync (nil when unknown or not trusted). A field
// changed on one side since base takes that side's value; changed on both to different
// values, the cloud's, and clash names it. With base nil an empty field takes the other
// side's value and two different values the cloud's (clash), so nothing is deleted.
func MergeMeta(base *remote.Meta, local, cloud remote.Meta) (m remote.Meta, clash []string) {
	mr := mergeMeta(base, local, cloud)
	return mr.m, mr.clash
}

// metaMerge is MergeMeta's result with the fields each side won.
type metaMerge struct {
	m                      remote.Meta
	fromLocal, fromCloud   []string // fields that change on the other side
	clash                  []string
	localWrite, cloudWrite bool
}

func mergeMeta(base *remote.Meta, local, cloud remote.Meta) metaMerge {
	var out metaMerge
	lf, cf := local.Fields(), cloud.Fields()
	var bf [3]remote.MetaField
	if base != nil {
		bf = base.Fields()
	}
	for i := range lf {
		name, l, c := lf[i].Name, lf[i].Value, cf[i].Value
		v := c
		switch {
		case l == c:
		case base != nil && c == bf[i].Value: // changed locally only
			v = l
		case base != nil && l == bf[i].Value: // changed in the cloud only
		case base == nil && c == "":
			v = l
		case base == nil && l == "":
		default:
			out.clash = append(out.clash, name)
		}
		out.m = out.m.Set(name, v)
		if v != l {
			out.fromCloud = append(out.fromCloud, name)
		}
		if v != c {
			out.fromLocal = append(out.fromLocal, name)
		}
	}
	out.localWrite, out.cloudWrite = out.m != local, out.m != cloud
	return out
}

// metaOf is the metadata item it has on both sides once synced, with ok false when its
// metadata is not synced in this pass (Options.Meta off, or unknown on a side it is on).
// rec says the base does not hold that metadata yet.
func (st *state) metaOf(it *item) (mr metaMerge, ok, rec bool) {
	if !st.opt.Meta {
		return mr, false, false
	}
	l, r := it.n[sideL], it.n[sideR]
	switch {
	case l == nil && r == nil, l != nil && l.Meta == nil, r != nil && r.Meta == nil:
		return mr, false, false
	case r == nil:
		mr.m = *l.Meta
	case l == nil:
		mr.m = *r.Meta
	default:
		var base *remote.Meta
		if b := it.base; b != nil && st.opt.TrustBase {
			base = b.Meta
		}
		mr = mergeMeta(base, *l.Meta, *r.Meta)
	}
	b := it.base
	rec = b == nil || b.Meta == nil && !mr.m.IsZero() || b.Meta != nil && *b.Meta != mr.m
	return mr, true, rec
}

// decideMeta adjusts the content decision of an item synced on both sides for its
// metadata: with nothing else to do, metadata that differs between the sides is a Meta
// action, and metadata the base lacks is recorded.
func (st *state) decideMeta(it *item) {
	if it.content != cNone && it.content != cRecord {
		return
	}
	mr, ok, rec := st.metaOf(it)
	switch {
	case !ok:
	case mr.localWrite || mr.cloudWrite:
		it.content, it.note = cMeta, metaNote(mr)
	case rec && it.content == cNone:
		it.content, it.note = cRecord, "metadata recorded"
	}
}

// metaNote says which side's metadata changed.
func metaNote(mr metaMerge) string {
	var parts []string
	clash := map[string]bool{}
	for _, f := range mr.clash {
		clash[f] = true
	}
	var local, cloud []string
	for _, f := range mr.fromLocal {
		local = append(local, f)
	}
	for _, f := range mr.fromCloud {
		if !clash[f] {
			cloud = append(cloud, f)
		}
	}
	if len(local) > 0 {
		parts = append(parts, "metadata edited locally ("+strings.Join(local, ", ")+")")
	}
	if len(cloud) > 0 {
		parts = append(parts, "metadata edited in the cloud ("+strings.Join(cloud, ", ")+")")
	}
	if len(mr.clash) > 0 {
		parts = append(parts, "metadata edited on both sides ("+strings.Join(mr.clash, ", ")+"): the cloud's kept")
	}
	return strings.Join(parts, "; ")
}

// actionMeta is the Meta an action of item it carries (nil when its metadata is not synced).
func (st *state) actionMeta(it *item) *remote.Meta {
	mr, ok, _ := st.metaOf(it)
	if !ok {
		return nil
	}
	m := mr.m
	return &m
}

// metaString prints a Meta for plans: meta{title="…" description="…" author="…"}, set
// fields only.
func metaString(m remote.Meta) string {
	var b strings.Builder
	b.WriteString("meta{")
	first := true
	for _, f := range m.Fields() {
		if f.Value == "" {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(f.Name + "=" + strconv.Quote(f.Value))
	}
	b.WriteByte('}')
	return b.String()
}
