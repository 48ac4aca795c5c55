package portforward

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	TuneGC()
	assert.Equal(t, gcPercent, debug.SetGCPercent(100), "the proxy's GOGC")
	t.Setenv("GOGC", "50")
	TuneGC()
	assert.Equal(t, 100, debug.SetGCPercent(100), "a GOGC the user set is left alone")
}
