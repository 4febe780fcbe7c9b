package changes

import (
	"context"
	"fmt"
	"strings"
)

// TargetChoice is a version a review can be made against: Ref is what
// Options.Ref takes ("" for the default target), Label says what it is.
type TargetChoice struct {
	Ref   string `json:"ref"`
	Label string `json:"label"`
}

// Targets lists the versions of the planner dir a review can target: the
// default first (what op plan picks without --target: the upstream, else
// the newest tag), then the tags, newest version first, then the remote
// branches. Nothing is fetched: they are as of the last git fetch.
func Targets(ctx context.Context, dir string) ([]TargetChoice, error) {
	r := repo{dir: dir}
	var out []TargetChoice
	if name, from, err := r.defaultTarget(ctx); err == nil {
		out = append(out, TargetChoice{Ref: "", Label: fmt.Sprintf("default: %s (%s)", name, from)})
	}
	tags, err := r.git(ctx, "tag", "--list", "--sort=-v:refname")
	if err != nil {
		return out, err
	}
	for _, t := range strings.Fields(tags) {
		out = append(out, TargetChoice{Ref: t, Label: "tag " + t})
	}
	branches, err := r.git(ctx, "for-each-ref", "--format=%(refname)", "refs/remotes")
	if err != nil {
		return out, err
	}
	for _, b := range strings.Fields(branches) {
		if strings.HasSuffix(b, "/HEAD") {
			continue // a pointer to another branch listed anyway
		}
		b = strings.TrimPrefix(b, "refs/remotes/")
		out = append(out, TargetChoice{Ref: b, Label: "branch " + b})
	}
	return out, nil
}
