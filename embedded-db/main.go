// Command ferretdb-embedded runs FerretDB (SQLite backend) as a small child process of the service.
//
// It embeds github.com/FerretDB/FerretDB/ferretdb instead of installing FerretDB's own command, because
// `go install` of that command panics at start (its build/version/version.txt is written by a release step
// that is not part of the Go module). As the main module here, that check does not apply.
//
// Usage: ferretdb-embedded -dir /abs/data/dir -listen 127.0.0.1:0
// It prints one line "READY <mongodb-uri>" on stdout once it accepts connections (through a proxy that
// makes every command atomic, see serial_proxy.go), and exits when its
// stdin closes (so it never outlives the parent, even one killed with SIGKILL) or on SIGINT/SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	dir := flag.String("dir", "", "directory for the SQLite files (created if missing)")
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on; port 0 picks a free port")
	watchStdin := flag.Bool("watch-stdin", true, "exit when stdin reaches EOF (parent gone)")
	flag.Parse()

	if *dir == "" {
		fail("-dir is required")
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		fail("bad -dir: %v", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		fail("cannot create %s: %v", abs, err)
	}

	// Clients connect to our serializing proxy (see serial_proxy.go); FerretDB itself listens on a
	// private loopback port behind it.
	public, err := net.Listen("tcp", *listen)
	if err != nil {
		fail("cannot listen on %s: %v", *listen, err)
	}
	internal, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("cannot find a free port: %v", err)
	}
	addr := internal.Addr().String()
	internal.Close()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Handler:   "sqlite",
		// synchronous=NORMAL in WAL mode: a commit survives the death of this process or of the service
		// (it is in the OS's cache), not a power cut of the machine, which is what MongoDB's default
		// (journal flushed every 100 ms) promises too. FULL spent an fsync on every write.
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(normal)",
	})
	if err != nil {
		fail("cannot configure FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if *watchStdin {
		ctx2, cancel := context.WithCancel(ctx)
		ctx = ctx2
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			cancel()
		}()
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// Announce readiness only once the port really accepts connections.
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			break
		}
		select {
		case err := <-done:
			fail("FerretDB stopped before it was ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			fail("FerretDB did not accept connections on %s within 60 s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	proxy := &serialProxy{backend: addr}
	go func() {
		if err := proxy.serve(public); err != nil {
			fail("proxy stopped: %v", err)
		}
	}()
	go func() {
		<-ctx.Done()
		public.Close()
	}()
	fmt.Printf("READY mongodb://%s/\n", public.Addr().String())

	if err := <-done; err != nil && ctx.Err() == nil {
		fail("FerretDB stopped: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb-embedded: "+format+"\n", args...)
	os.Exit(1)
}
