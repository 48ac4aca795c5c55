package portforward

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/httpstream"
)

// blockingDialer answers after release is closed (or never).
type blockingDialer struct {
	release chan struct{}
	err     error
}

func (d *blockingDialer) Dial(...string) (httpstream.Connection, string, error) {
	<-d.release
	return nil, "", d.err
}

func TestDialWithinGivesUp(t *testing.T) {
	d := &blockingDialer{release: make(chan struct{})}
	defer close(d.release)
	_, _, err := dialWithin(d, 50*time.Millisecond, "portforward.k8s.io")
	require.Error(t, err)
	assert.Equal(t, "the apiserver did not open the tunnel within 50ms", err.Error())
}

func TestDialWithinPassesTheAnswer(t *testing.T) {
	want := errors.New("upgrade refused")
	d := &blockingDialer{release: make(chan struct{}), err: want}
	close(d.release)
	_, _, err := dialWithin(d, time.Minute, "portforward.k8s.io")
	assert.ErrorIs(t, err, want)
}
