package docker

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// Restart restarts a container, giving it timeout to stop before it is
// killed.
func (c *Client) Restart(ctx context.Context, containerID string, timeout time.Duration) error {
	secs := int(timeout.Round(time.Second) / time.Second)
	if err := c.api.ContainerRestart(ctx, containerID, container.StopOptions{Timeout: &secs}); err != nil {
		return c.wrap("restart "+shortID(containerID), err)
	}
	return nil
}

// execPoll is how often Exec asks whether the process has exited after its
// output ended.
const execPoll = 20 * time.Millisecond

// Exec runs cmd in a running container and returns its exit code. Secrets go
// in env, never in cmd: the command line appears in the daemon's events.
// stdin, when not nil, is copied to the process and then closed (EOF);
// stdout and stderr receive the demultiplexed output (nil discards). If ctx
// ends first, the connection is closed (the process sees EOF on stdin and a
// broken pipe on output) and ctx's error is returned; the Engine API has no
// way to kill an exec'd process directly.
//
// Exit codes seen in practice: 126 when the binary is missing (with the
// runtime's error text on stdout), 137 when killed. The caller must check
// the code before trusting stdout.
func (c *Client) Exec(ctx context.Context, containerID string, cmd []string, env []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	what := fmt.Sprintf("exec %q in %s", firstWord(cmd), shortID(containerID))
	created, err := c.api.ContainerExecCreate(ctx, containerID, container.ExecOptions{
		Cmd: cmd, Env: env,
		AttachStdin: stdin != nil, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return -1, c.wrap(what, err)
	}
	hj, err := c.api.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return -1, c.wrap(what, err)
	}
	defer hj.Close()
	stop := context.AfterFunc(ctx, func() { hj.Close() })
	defer stop()

	stdinErr := make(chan error, 1)
	if stdin != nil {
		go func() {
			_, err := io.Copy(hj.Conn, stdin)
			if err == nil {
				err = hj.CloseWrite()
			}
			stdinErr <- err
		}()
	} else {
		stdinErr <- nil
	}
	_, copyErr := stdcopy.StdCopy(stdout, stderr, hj.Reader)
	if ctx.Err() != nil {
		return -1, fmt.Errorf("%s: %w", what, ctx.Err())
	}
	if copyErr != nil {
		return -1, fmt.Errorf("%s: reading output: %w", what, copyErr)
	}
	// Output ended; the process may still be reported running for a moment.
	for {
		in, err := c.api.ContainerExecInspect(ctx, created.ID)
		if err != nil {
			return -1, c.wrap(what, err)
		}
		if !in.Running {
			if stdin != nil {
				// A process that exits without reading all its input makes
				// the copy fail with a broken pipe; that is its business, the
				// exit code tells. Only a clean exit with a failed copy (our
				// side could not read stdin) is an error.
				select {
				case err := <-stdinErr:
					if err != nil && in.ExitCode == 0 {
						return in.ExitCode, fmt.Errorf("%s: sending input: %w", what, err)
					}
				default:
				}
			}
			return in.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return -1, fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(execPoll):
		}
	}
}

func firstWord(cmd []string) string {
	if len(cmd) == 0 {
		return ""
	}
	return cmd[0]
}
