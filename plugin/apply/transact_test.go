package apply

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// transact runs mend rounds after a round that wrote, until one writes
// nothing; a lost race in any round retries that round; a mend round that
// fails keeps what was written and says so.
func TestTransactRounds(t *testing.T) {
	conflict := apierrors.NewConflict(schema.GroupResource{Resource: "gateways"}, "expose-gw", errors.New("modified"))
	tests := []struct {
		name   string
		script []struct {
			wrote bool
			err   error
		}
		wantRounds []Round
		wantErr    bool
		wantWarn   bool
	}{
		{"nothing to write: one round", []struct {
			wrote bool
			err   error
		}{{false, nil}}, []Round{{First: true}}, false, false},
		{"a write, then a mend round that finds it in place", []struct {
			wrote bool
			err   error
		}{{true, nil}, {false, nil}}, []Round{{First: true}, {Mend: true}}, false, false},
		{"a lost race before any write retries the first round", []struct {
			wrote bool
			err   error
		}{{false, conflict}, {true, nil}, {false, nil}}, []Round{{First: true}, {}, {Mend: true}}, false, false},
		{"a mend round that mends, then one that finds nothing", []struct {
			wrote bool
			err   error
		}{{true, nil}, {true, nil}, {false, nil}}, []Round{{First: true}, {Mend: true}, {Mend: true}}, false, false},
		{"a lost race in a mend round retries it as a mend round", []struct {
			wrote bool
			err   error
		}{{true, nil}, {false, conflict}, {false, nil}}, []Round{{First: true}, {Mend: true}, {Mend: true}}, false, false},
		{"a mend round failing keeps the writes, with a warning", []struct {
			wrote bool
			err   error
		}{{true, nil}, {false, errors.New("forbidden")}}, []Round{{First: true}, {Mend: true}}, false, true},
		{"the first round failing is the error", []struct {
			wrote bool
			err   error
		}{{false, errors.New("bad")}}, []Round{{First: true}}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Applier{}
			var got []Round
			err := a.Transact(context.Background(), func(r Round) (bool, error) {
				require.Less(t, len(got), len(tt.script), "more rounds than scripted")
				s := tt.script[len(got)]
				got = append(got, r)
				return s.wrote, s.err
			})
			assert.Equal(t, tt.wantRounds, got)
			assert.Equal(t, tt.wantErr, err != nil, "%v", err)
			assert.Equal(t, tt.wantWarn, len(a.Warnings()) > 0, a.Warnings())
		})
	}

	var n int
	a := &Applier{}
	require.NoError(t, a.Transact(context.Background(), func(Round) (bool, error) { n++; return true, nil }))
	assert.Equal(t, 1+maxMendRounds, n, "mend rounds are bounded")
}
