// Command etcd runs a single-member etcd server from go.etcd.io/etcd/server/v3's
// embed package, for tests on one machine. It takes the flag names of the
// real etcd binary that test harnesses pass (envtest's subset), so either
// binary can be started the same way.
//
// When the server is ready for client requests it prints one line to stdout:
//
//	etcd ready: client=http://127.0.0.1:PORT
//
// SIGINT or SIGTERM closes the server cleanly.
package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func urls(flagName, value string) []url.URL {
	var out []url.URL
	for _, raw := range strings.Split(value, ",") {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || u.Host == "" {
			fatalf("--%s: %q is not a URL with a host", flagName, raw)
		}
		out = append(out, *u)
	}
	return out
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "etcd: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	name := flag.String("name", "default", "member name")
	dataDir := flag.String("data-dir", "", "data directory (required)")
	listenClient := flag.String("listen-client-urls", "http://127.0.0.1:2379", "URLs to serve clients on")
	advertiseClient := flag.String("advertise-client-urls", "", "client URLs to advertise (default: the listen URLs)")
	listenPeer := flag.String("listen-peer-urls", "http://127.0.0.1:2380", "URLs to listen on for peers")
	advertisePeer := flag.String("initial-advertise-peer-urls", "", "peer URLs to advertise (default: the listen URLs)")
	initialCluster := flag.String("initial-cluster", "", "name=peer-URL of the one member (default: --name with the advertised peer URLs)")
	noFsync := flag.Bool("unsafe-no-fsync", false, "skip fsync (faster; data may be lost on a crash)")
	quota := flag.Int64("quota-backend-bytes", 0, "backend size limit (0: etcd's default)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	readyTimeout := flag.Duration("ready-timeout", time.Minute, "give up if the server is not ready in this time")
	flag.Parse()
	if *dataDir == "" {
		fatalf("--data-dir is required")
	}

	cfg := embed.NewConfig()
	cfg.Name = *name
	cfg.Dir = *dataDir
	cfg.ListenClientUrls = urls("listen-client-urls", *listenClient)
	cfg.AdvertiseClientUrls = cfg.ListenClientUrls
	if *advertiseClient != "" {
		cfg.AdvertiseClientUrls = urls("advertise-client-urls", *advertiseClient)
	}
	cfg.ListenPeerUrls = urls("listen-peer-urls", *listenPeer)
	cfg.AdvertisePeerUrls = cfg.ListenPeerUrls
	if *advertisePeer != "" {
		cfg.AdvertisePeerUrls = urls("initial-advertise-peer-urls", *advertisePeer)
	}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	if *initialCluster != "" {
		cfg.InitialCluster = *initialCluster
	}
	cfg.UnsafeNoFsync = *noFsync
	cfg.QuotaBackendBytes = *quota
	cfg.LogLevel = *logLevel
	cfg.LogOutputs = []string{"stderr"}

	server, err := embed.StartEtcd(cfg)
	if err != nil {
		fatalf("start: %v", err)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)

	select {
	case <-server.Server.ReadyNotify():
		fmt.Printf("etcd ready: client=%s\n", cfg.AdvertiseClientUrls[0].String())
	case <-time.After(*readyTimeout):
		server.Close()
		fatalf("not ready after %s", *readyTimeout)
	case sig := <-signals:
		server.Close()
		fatalf("stopped by %s before it was ready", sig)
	}

	select {
	case err := <-server.Err():
		server.Close()
		fatalf("server error: %v", err)
	case <-signals:
		server.Close()
	}
}
