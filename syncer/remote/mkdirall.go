package remote

import (
	"context"
	"errors"
	"fmt"
	"path"
)

// MkdirAll creates account-relative folder p and its missing parents on rem, as
// os.MkdirAll does locally: existing folders are fine (also one another client creates
// meanwhile); a file in the way is an ErrNameClash.
func MkdirAll(ctx context.Context, rem Remote, p string) error {
	p = Clean(p)
	if p == "" {
		return nil
	}
	if en, err := rem.Stat(ctx, p); err == nil {
		if !en.IsDir {
			return fmt.Errorf("%s is a file: %w", p, ErrNameClash)
		}
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	if d := path.Dir(p); d != "." {
		if err := MkdirAll(ctx, rem, d); err != nil {
			return err
		}
	}
	if _, err := rem.Mkdir(ctx, p); err != nil {
		if errors.Is(err, ErrNameClash) {
			if en, serr := rem.Stat(ctx, p); serr == nil && en.IsDir {
				return nil // created meanwhile
			}
		}
		return err
	}
	return nil
}
