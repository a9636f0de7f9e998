package remote

// Wrapper is implemented by decorators around a Remote (bandwidth limits, metering): a
// decorator offers the Remote methods only, so optional abilities (WebURLer, Namer,
// Checker, …) are found on the remote it wraps.
type Wrapper interface {
	Unwrap() Remote
}

// As finds an optional ability T on r or on the remotes r wraps, like errors.As does for
// error chains. Code that looks for an ability on a remote the engine may have decorated
// uses As instead of a type assertion.
func As[T any](r Remote) (T, bool) {
	for r != nil {
		if t, ok := r.(T); ok {
			return t, true
		}
		w, ok := r.(Wrapper)
		if !ok {
			break
		}
		r = w.Unwrap()
	}
	var zero T
	return zero, false
}
