package syncer

import "context"

// Temporary until exec.Run and plan.Reconcile land (pass.go, record.go).
func (r *runner) syncOnce(ctx context.Context) (int, string) { return 0, StateIdle }
func mkdirAll(ctx context.Context, rem interface{}, p string) error { return nil }
