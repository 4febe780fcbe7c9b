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
	return c.ExecAs(ctx, containerID, ExecSpec{Cmd: cmd, Env: env}, stdin, stdout, stderr)
}

// ExecSpec is what ExecAs runs: Cmd with Env added to the container's, in
// WorkingDir ("" for the container's) as User ("" for the container's).
type ExecSpec struct {
	Cmd        []string
	Env        []string
	WorkingDir string
	User       string
}

// ExecAs is Exec with a working directory and a user.
func (c *Client) ExecAs(ctx context.Context, containerID string, spec ExecSpec, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	cmd := spec.Cmd
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	what := fmt.Sprintf("exec %q in %s", firstWord(cmd), shortID(containerID))
	created, err := c.api.ContainerExecCreate(ctx, containerID, container.ExecOptions{
		Cmd: cmd, Env: spec.Env, WorkingDir: spec.WorkingDir, User: spec.User,
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

	// Input: our side failing to read stdin (srcErr) is an error, and the
	// connection is closed so the process sees end of input rather than
	// waiting forever. A write failing because the process exited early is
	// the process's business: its exit code tells.
	src := &errReader{r: stdin}
	inputDone := make(chan struct{})
	if stdin != nil {
		go func() {
			defer close(inputDone)
			if _, err := io.Copy(hj.Conn, src); err == nil {
				hj.CloseWrite()
			} else if src.err != nil {
				hj.Close()
			}
		}()
	} else {
		close(inputDone)
	}
	_, copyErr := stdcopy.StdCopy(stdout, stderr, hj.Reader)
	if ctx.Err() != nil {
		return -1, fmt.Errorf("%s: %w", what, ctx.Err())
	}
	if copyErr != nil {
		// Perhaps we closed the connection because our input failed: the
		// input goroutine finishes promptly once the connection is closed.
		hj.Close()
		<-inputDone
		if src.err != nil {
			return -1, fmt.Errorf("%s: reading input: %w (input closed early)", what, src.err)
		}
		return -1, fmt.Errorf("%s: reading output: %w", what, copyErr)
	}
	select {
	case <-inputDone:
		if src.err != nil {
			return -1, fmt.Errorf("%s: reading input: %w (input closed early)", what, src.err)
		}
	default:
	}
	// Output ended; the process may still be reported running for a moment.
	for {
		in, err := c.api.ContainerExecInspect(ctx, created.ID)
		if err != nil {
			return -1, c.wrap(what, err)
		}
		if !in.Running {
			return in.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return -1, fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(execPoll):
		}
	}
}

// errReader remembers a read error other than EOF, to tell our input
// failing from the process going away.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

func firstWord(cmd []string) string {
	if len(cmd) == 0 {
		return ""
	}
	return cmd[0]
}

// CopyTo unpacks the tar archive content into dir of a container (created
// or running); dir must exist there. What is unpacked keeps the archive's
// modes and is owned by root.
func (c *Client) CopyTo(ctx context.Context, containerID, dir string, content io.Reader) error {
	if err := c.api.CopyToContainer(ctx, containerID, dir, content, container.CopyToContainerOptions{}); err != nil {
		return c.wrap(fmt.Sprintf("copy into %s:%s", shortID(containerID), dir), err)
	}
	return nil
}
