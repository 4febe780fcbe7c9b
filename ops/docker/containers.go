package docker

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
)

// Compose labels, set by both compose v1 and v2.
const (
	LabelProject = "com.docker.compose.project"
	LabelService = "com.docker.compose.service"
	LabelNumber  = "com.docker.compose.container-number"
	LabelOneoff  = "com.docker.compose.oneoff"
)

// Container is one container of a compose project as the status bar shows
// it. CPUPercent, MemBytes and MemLimit are filled by Watch (live stats);
// Containers leaves them zero.
type Container struct {
	ID        string
	Name      string // without the leading "/"
	Service   string // compose service label
	Image     string // as the container was created from it (a tag, or an id)
	ImageID   string // the image id it runs ("sha256:...")
	State     string // created, running, paused, restarting, removing, exited, dead
	Health    string // starting, healthy, unhealthy; "" without a healthcheck
	StartedAt time.Time
	Created   time.Time
	Restarts  int // restart-policy restarts (a manual restart shows as a new StartedAt)
	ExitCode  int
	// LastProbe is the output of the last healthcheck probe (trimmed), so a
	// failing healthcheck can say why.
	LastProbe  string
	CPUPercent float64
	MemBytes   uint64
	MemLimit   uint64
	Number     int // compose container number (1 for the first replica)
}

// Running reports whether the container's main process is up.
func (c Container) Running() bool { return c.State == "running" }

// Ready reports whether the container is running and, if it has a
// healthcheck, healthy.
func (c Container) Ready() bool {
	return c.Running() && (c.Health == "" || c.Health == "healthy")
}

// Containers lists the containers (running or not, one-off `run` containers
// excluded) of a compose project, with state and health from inspect,
// sorted by service and number.
func (c *Client) Containers(ctx context.Context, project string) ([]Container, error) {
	return c.list(ctx, filters.NewArgs(filters.Arg("label", LabelProject+"="+project)))
}

// ServiceContainer returns the first running container of a compose
// service (the lowest container number), else the first one at all, else an
// error naming the project and service.
func (c *Client) ServiceContainer(ctx context.Context, project, service string) (Container, error) {
	cs, err := c.list(ctx, filters.NewArgs(
		filters.Arg("label", LabelProject+"="+project),
		filters.Arg("label", LabelService+"="+service)))
	if err != nil {
		return Container{}, err
	}
	if len(cs) == 0 {
		return Container{}, fmt.Errorf("no container for service %q in compose project %q", service, project)
	}
	for _, ct := range cs {
		if ct.Running() {
			return ct, nil
		}
	}
	return cs[0], nil
}

func (c *Client) list(ctx context.Context, f filters.Args) ([]Container, error) {
	sums, err := c.api.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, c.wrap("list containers", err)
	}
	out := make([]Container, 0, len(sums))
	for _, s := range sums {
		if s.Labels[LabelOneoff] == "True" {
			continue
		}
		ct, err := c.inspect(ctx, s.ID)
		if err != nil {
			if isConnErr(err) {
				return nil, err
			}
			continue // removed between list and inspect
		}
		out = append(out, ct)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		if out[i].Number != out[j].Number {
			return out[i].Number < out[j].Number
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// inspect reads one container's state and health.
func (c *Client) inspect(ctx context.Context, id string) (Container, error) {
	in, err := c.api.ContainerInspect(ctx, id)
	if err != nil {
		return Container{}, c.wrap("inspect container "+shortID(id), err)
	}
	ct := Container{
		ID:       in.ID,
		Name:     strings.TrimPrefix(in.Name, "/"),
		Restarts: in.RestartCount,
		ImageID:  in.Image,
	}
	ct.Created, _ = time.Parse(time.RFC3339Nano, in.Created)
	if in.Config != nil {
		ct.Image = in.Config.Image
		ct.Service = in.Config.Labels[LabelService]
		ct.Number, _ = strconv.Atoi(in.Config.Labels[LabelNumber])
	}
	if st := in.State; st != nil {
		ct.State = string(st.Status)
		ct.ExitCode = st.ExitCode
		ct.StartedAt, _ = time.Parse(time.RFC3339Nano, st.StartedAt)
		if h := st.Health; h != nil {
			ct.Health = string(h.Status)
			if n := len(h.Log); n > 0 && h.Log[n-1] != nil {
				ct.LastProbe = strings.TrimSpace(h.Log[n-1].Output)
			}
		}
	}
	return ct, nil
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
