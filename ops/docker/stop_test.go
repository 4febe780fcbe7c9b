package docker_test

import "github.com/docker/docker/api/types/container"

func stopNow() container.StopOptions {
	zero := 0
	return container.StopOptions{Timeout: &zero}
}
