package main

import (
	"context"
	"path/filepath"

	"planner-tui/ops"
	"planner-tui/ops/changes"
)

// reviewFuncs are the screen's "Review changes" page: op plan's Build
// against a ref, its SQL kept in op plan's plan-cache, and the refs to
// choose from.
func reviewFuncs(t ops.Target, stateDir string) (func(context.Context, string, bool) (changes.Plan, error), func(context.Context) ([]changes.TargetChoice, error)) {
	cache := filepath.Join(stateDir, "plan-cache")
	plan := func(ctx context.Context, ref string, fresh bool) (changes.Plan, error) {
		db, err := changes.DBConfig(t)
		if err != nil {
			return changes.Plan{}, err
		}
		return changes.Build(ctx, changes.Options{Target: t, Ref: ref, DB: db, CacheDir: cache, Fresh: fresh})
	}
	targets := func(ctx context.Context) ([]changes.TargetChoice, error) { return changes.Targets(ctx, t.Dir) }
	return plan, targets
}
