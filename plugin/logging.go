package plugin

import (
	"flag"

	"github.com/spf13/pflag"
	"k8s.io/klog/v2"
)

// addVerbosityFlag gives the plugin kubectl's -v/--v: at 6 client-go logs
// every API request with its status and time, at 8 the bodies too.
func addVerbosityFlag(fs *pflag.FlagSet) {
	gofs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(gofs)
	v := gofs.Lookup("v")
	v.Usage = "Log level: 6 logs each API request, 8 with its body (as kubectl's -v)"
	fs.AddGoFlag(v)
}
