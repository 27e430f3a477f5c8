package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/spf13/cobra"
)

// serverFlags are the flags every command that runs a server takes.
type serverFlags struct {
	host, dataDir        string
	port                 int
	verbose              bool
	python               []string
	accessKey, secretKey string
	sandbox              string
	standby              string
	consoleToken         string
}

func (f *serverFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.host, "host", "127.0.0.1", "address to listen on (loopback by default)")
	cmd.Flags().IntVar(&f.port, "port", platform.DefaultPort, "port to listen on")
	cmd.Flags().StringVar(&f.dataDir, "data-dir", ".cloudlet", "folder for cloudlet's state (stacks, functions, logs, objects)")
	cmd.Flags().BoolVarP(&f.verbose, "verbose", "v", false, "log cloudlet's own activity")
	cmd.Flags().StringArrayVar(&f.python, "interpreter", nil, "use a specific interpreter for a runtime, RUNTIME=PATH (repeatable), e.g. python3.12=/usr/bin/python3.12")
	cmd.Flags().StringVar(&f.sandbox, "sandbox", "auto", "isolate functions in namespaces and cgroups where the host allows it (auto), or run them as plain processes (off)")
	cmd.Flags().StringVar(&f.standby, "standby", "on", "start a runtime process ahead of need for each runtime in use, so cold starts take a few milliseconds (on), or start every environment from scratch (off)")
	cmd.Flags().StringVar(&f.accessKey, "access-key", envOr("CLOUDLET_ACCESS_KEY_ID", "test"), "the account root's access key for SigV4 (env CLOUDLET_ACCESS_KEY_ID)")
	cmd.Flags().StringVar(&f.secretKey, "secret-key", envOr("CLOUDLET_SECRET_ACCESS_KEY", "test"), "the account root's secret key for SigV4 (env CLOUDLET_SECRET_ACCESS_KEY)")
	// No default from the environment here: help would print the token.
	cmd.Flags().StringVar(&f.consoleToken, "console-token", "", "the token the console asks for, 16-256 letters, digits, - . _ ~ (env CLOUDLET_CONSOLE_TOKEN; default: a new random one each start)")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// token is the console token the user chose: the flag, else the
// environment; "" lets the platform make one.
func (f *serverFlags) token() string {
	if f.consoleToken != "" {
		return f.consoleToken
	}
	return os.Getenv("CLOUDLET_CONSOLE_TOKEN")
}

// loopback reports whether host only accepts connections from this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// start builds and starts the platform.
func (f *serverFlags) start(ctx context.Context, stderr io.Writer) (*platform.Platform, error) {
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelDebug
	}
	interp, err := keyValues(f.python, "--interpreter")
	if err != nil {
		return nil, err
	}
	if f.standby != "on" && f.standby != "off" {
		return nil, fmt.Errorf("--standby %q: want on or off", f.standby)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if !loopback(f.host) && f.accessKey == "test" && f.secretKey == "test" {
		logger.Warn("listening beyond loopback with the default SigV4 keys test/test: anyone who can reach this port can act as the account root; set --access-key and --secret-key", "host", f.host)
	}
	p, err := platform.New(platform.Config{
		Host: f.host, Port: f.port, DataDir: f.dataDir, Interpreters: interp, Version: version, Logger: logger,
		RootAccessKey: f.accessKey, RootSecretKey: f.secretKey, Sandbox: f.sandbox, NoStandby: f.standby == "off",
		ConsoleToken: f.token(),
	})
	if err != nil {
		return nil, err
	}
	if err := p.Start(ctx); err != nil {
		_ = p.Shutdown(ctx)
		return nil, err
	}
	return p, nil
}

// stop shuts the platform down with a bounded grace period.
func stop(p *platform.Platform, stderr io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		fmt.Fprintln(stderr, "cloudlet: shutdown:", err)
		return err
	}
	return nil
}

func newServe() *cobra.Command {
	var f serverFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the AWS endpoints, HTTP APIs and console until interrupted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := f.start(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			printServing(cmd.OutOrStdout(), p, f.dataDir)
			<-cmd.Context().Done()
			fmt.Fprintln(cmd.OutOrStdout(), "cloudlet: stopping")
			return stop(p, cmd.ErrOrStderr())
		},
	}
	f.register(cmd)
	return cmd
}

// printServing says where cloudlet serves, and the console's URL with its
// token: the only place the token is ever shown.
func printServing(w io.Writer, p *platform.Platform, dataDir string) {
	fmt.Fprintf(w, "cloudlet %s serving on %s (data in %s)\n", version, p.URL(), dataDir)
	fmt.Fprintf(w, "Console: %s\n", p.ConsoleURL())
}

// fileExists reports whether path names a regular file.
func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
