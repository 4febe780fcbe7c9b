// Package docker reads and drives the planner's compose stack through the
// Docker Engine API: container state and health, live stats, logs that follow
// restarts, restarts and execs (used by backups). It never shells out to the
// docker CLI except to find out how compose is invoked on this host.
package docker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/docker/cli/cli/connhelper"
	"github.com/docker/docker/client"
)

// pingTimeout bounds the first contact with the daemon, so that an
// unreachable daemon is reported in seconds, not after the OS TCP timeout.
const pingTimeout = 3 * time.Second

// Client is a Docker Engine API client with its API version settled.
type Client struct {
	api     *client.Client
	host    string // what the user configured (DOCKER_HOST or a context), for messages
	context string // the docker context, if the host came from one
}

// New connects to the daemon named by the environment (DOCKER_HOST,
// DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION) or the current
// docker context (ResolveEndpoint), including
// ssh://user@host through `ssh ... docker system dial-stdio` as the docker CLI
// does. It negotiates the API version up front (a 20.10 daemon rejects the
// client's default version) and fails plainly when the daemon cannot be
// reached.
func New(ctx context.Context) (*Client, error) {
	ep, err := ResolveEndpoint(os.Getenv)
	if err != nil {
		return nil, err
	}
	host := ep.Host
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if ep.Context != "" {
		opts = append(opts, client.WithHost(host))
	}
	helper, err := connhelper.GetConnectionHelper(host)
	if err != nil {
		return nil, fmt.Errorf("docker host %q: %w", host, err)
	}
	if helper != nil {
		// The helper gives a dialer that runs ssh; HTTP goes to a dummy host.
		opts = append(opts,
			client.WithHTTPClient(&http.Client{Transport: &http.Transport{DialContext: helper.Dialer}}),
			client.WithHost(helper.Host),
			client.WithDialContext(helper.Dialer),
		)
	}
	api, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker client for %s: %w", host, err)
	}
	c := &Client{api: api, host: host, context: ep.Context}
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	ping, err := api.Ping(pctx)
	if err != nil {
		api.Close()
		return nil, c.unreachable(err)
	}
	api.NegotiateAPIVersionPing(ping)
	return c, nil
}

// Close releases the client's connections.
func (c *Client) Close() error { return c.api.Close() }

// Host is the daemon address the client talks to, as configured.
func (c *Client) Host() string { return c.host }

// Context is the docker context the host came from ("" for DOCKER_HOST or
// the default socket).
func (c *Client) Context() string { return c.context }

// APIVersion is the negotiated Engine API version.
func (c *Client) APIVersion() string { return c.api.ClientVersion() }

// API exposes the underlying Engine API client for callers (tests, tools)
// that need an endpoint this package does not wrap.
func (c *Client) API() *client.Client { return c.api }

// unreachable turns a connection failure into "docker unreachable at <host>:
// <reason>" with the reason reduced to what a user can act on. The client
// library's "Cannot connect to the Docker daemon" hides the cause, so for
// unix and tcp hosts one direct dial finds it ("no such file or directory",
// "permission denied", "connection refused").
func (c *Client) unreachable(err error) error {
	why := reason(err)
	if strings.HasPrefix(why, "Cannot connect") || strings.Contains(why, "Is the docker daemon running") {
		why = "cannot connect"
		if proto, addr, ok := strings.Cut(c.host, "://"); ok && (proto == "unix" || proto == "tcp") {
			conn, derr := net.DialTimeout(proto, addr, pingTimeout)
			if derr != nil {
				why = reason(derr)
			} else {
				conn.Close()
			}
		}
	}
	return fmt.Errorf("docker unreachable at %s: %s", c.host, why)
}

// reason extracts the root cause of a connection error: "connection
// refused", "no such file or directory", "permission denied", "timed out".
func reason(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		return msg[i+2:]
	}
	return msg
}

// isConnErr reports whether err means the daemon could not be reached (as
// opposed to an API error such as "no such container").
func isConnErr(err error) bool {
	if err == nil {
		return false
	}
	if client.IsErrConnectionFailed(err) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	var errno syscall.Errno
	return errors.As(err, &errno)
}

// wrap annotates an API error, stating unreachability plainly.
func (c *Client) wrap(what string, err error) error {
	if isConnErr(err) {
		return c.unreachable(err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
