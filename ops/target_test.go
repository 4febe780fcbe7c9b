package ops

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestServicesUnionOfComposeFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("docker-compose.yml", "version: '2.4'\nservices:\n  db:\n    image: pg\n  app:\n    build: .\n")
	write("docker-compose.prod.yml", "services:\n  app:\n    restart: always\n  worker:\n    image: w\n")
	tg := Target{Dir: dir, ComposeFiles: []string{"docker-compose.yml", "docker-compose.prod.yml"}}
	got, err := Services(tg)
	if err != nil || !reflect.DeepEqual(got, []string{"app", "db", "worker"}) {
		t.Fatalf("Services() = %v, %v", got, err)
	}
	tg.ComposeFiles = append(tg.ComposeFiles, "missing.yml")
	if _, err := Services(tg); err == nil || !strings.Contains(err.Error(), "missing.yml") {
		t.Fatalf("missing file: err = %v", err)
	}
}
