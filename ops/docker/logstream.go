package docker

import (
	"bufio"
	"context"
	"io"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// LogStream returns a container's log (stdout and stderr merged, not
// followed) as one byte stream, for scanning large logs fast: no per-line
// callback, demultiplexed unless the container has a TTY.
func (c *Client) LogStream(ctx context.Context, containerID string, since time.Time) (io.ReadCloser, error) {
	in, err := c.api.ContainerInspect(ctx, containerID)
	if err != nil {
		return nil, c.wrap("logs "+shortID(containerID), err)
	}
	opt := container.LogsOptions{ShowStdout: true, ShowStderr: true}
	if !since.IsZero() {
		opt.Since = since.Format(time.RFC3339Nano)
	}
	rc, err := c.api.ContainerLogs(ctx, containerID, opt)
	if err != nil {
		return nil, c.wrap("logs "+shortID(containerID), err)
	}
	if in.Config != nil && in.Config.Tty {
		return rc, nil
	}
	pr, pw := io.Pipe()
	go func() {
		// Each log line is its own frame: buffer them so the pipe hands
		// over large blocks, not one line at a time.
		bw := bufio.NewWriterSize(pw, 256<<10)
		_, err := stdcopy.StdCopy(bw, bw, rc)
		if err == nil {
			err = bw.Flush()
		}
		rc.Close()
		pw.CloseWithError(err)
	}()
	return pr, nil
}
