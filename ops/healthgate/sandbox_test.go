package healthgate

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"planner-tui/checklist"
	"planner-tui/ops/docker/dockertest"
)

// On the sandbox stack as it runs: the gate passes, naming the app's
// version and /health answer. Then, once the app has answered healthy,
// its container is stopped (as a crash right after up would): the gate
// fails at once, naming the app. The container is started again and the
// test waits until the app answers again: the stack is left as found.
func TestGateOnTheSandbox(t *testing.T) {
	sb := dockertest.Stack(t)
	url := HealthURL(sb.Target.BaseURL)
	if url == "" {
		dockertest.Unavailable(t, "the sandbox has no BASE_URL (planner-tui.env)")
	}
	src := DockerSource(sb.Client, sb.Target)
	opt := Options{Window: 3 * time.Second, Interval: 250 * time.Millisecond, URL: url, App: sb.Target.AppService}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	out := Watch(ctx, src, opt, nil)
	if out.Result != checklist.GatePassed || !strings.Contains(out.Reason, "/health 200") || out.Last.Version == "" {
		t.Fatalf("gate on the running sandbox: %s %q (last %+v), want passed", out.Result, out.Reason, out.Last)
	}

	app, err := sb.Client.ServiceContainer(ctx, sb.Target.Project, sb.Target.AppService)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// leave the stack as it was: the app running and answering
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := sb.Client.API().ContainerStart(ctx, app.ID, container.StartOptions{}); err != nil {
			t.Errorf("start the app again: %v", err)
		}
		dockertest.Eventually(t, 90*time.Second, "the app healthy again", func() (bool, string) {
			ct, err := sb.Client.ServiceContainer(ctx, sb.Target.Project, sb.Target.AppService)
			a := Probe(ctx, url, 2*time.Second)
			return err == nil && ct.Ready() && a.Status == 200, fmt.Sprintf("%+v %v /health %+v", ct, err, a)
		})
	})
	opt.Window = time.Minute
	stopped := false
	out = Watch(ctx, src, opt, func(p Progress) {
		if p.Healthy && !stopped {
			stopped = true
			timeout := 5
			if err := sb.Client.API().ContainerStop(ctx, app.ID, container.StopOptions{Timeout: &timeout}); err != nil {
				t.Errorf("stop the app: %v", err)
			}
		}
	})
	if !stopped {
		t.Fatalf("the app never answered healthy: %s %q", out.Result, out.Reason)
	}
	app1 := sb.Target.AppService + " exited (exit "
	app2 := sb.Target.AppService + ": /health unreachable after it had answered"
	if out.Result != checklist.GateFailed || !(strings.HasPrefix(out.Reason, app1) || strings.HasPrefix(out.Reason, app2)) {
		t.Fatalf("gate after the app stopped: %s %q, want failed: %q… or %q…", out.Result, out.Reason, app1, app2)
	}
	if out.Elapsed >= opt.Window {
		t.Errorf("failed after %s, want at once", out.Elapsed)
	}
}
