package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/pb33f/jsonschema/v6"

	"coopledger/httpapi/api"
)

type routeKey struct{ method, path string }

// registeredRoutes lists what the JSON API serves, without Echo's internal
// not-found routes and without the web pages (package web), which are HTML.
func registeredRoutes() []routeKey {
	e := newEcho(nil, slog.New(slog.DiscardHandler), Options{})
	var out []routeKey
	for _, r := range e.Routes() {
		if r.Method == echo.RouteNotFound || isWebPath(r.Path) {
			continue
		}
		out = append(out, routeKey{r.Method, r.Path})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	return out
}

var echoParam = regexp.MustCompile(`:([a-z]+)`)

// TestOpenAPIMatchesRoutes: every served route is documented with the same
// method, and every documented operation is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	served := map[routeKey]bool{}
	for _, r := range registeredRoutes() {
		served[routeKey{r.method, echoParam.ReplaceAllString(r.path, "{$1}")}] = true
	}
	documented := map[routeKey]bool{}
	for _, op := range api.Operations() {
		k := routeKey{op[0], op[1]}
		if documented[k] {
			t.Errorf("operation %v documented twice", k)
		}
		documented[k] = true
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("route %s %s is served but not in the OpenAPI document", k.method, k.path)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("operation %s %s is documented but not served", k.method, k.path)
		}
	}
	if len(served) < 30 {
		t.Errorf("only %d routes served", len(served))
	}
}

// TestOpenAPIDocumentIsValid validates the document against the OpenAPI 3.1
// schema (libopenapi-validator embeds the official one).
func TestOpenAPIDocumentIsValid(t *testing.T) {
	v, err := openAPIValidator()
	if err != nil {
		t.Fatal(err)
	}
	ok, errs := v.ValidateDocument()
	for _, e := range errs {
		msg := e.Message + ": " + e.Reason
		for _, s := range e.SchemaValidationErrors {
			msg += "; " + s.FieldPath + " " + s.Reason
		}
		t.Error(msg)
	}
	if !ok {
		t.Fatal("the OpenAPI document is not valid OpenAPI 3.1")
	}
	if !strings.Contains(string(api.OpenAPIDocument()), `"openapi": "3.1.0"`) {
		t.Error("not an OpenAPI 3.1 document")
	}
}

// TestOpenAPISchemasAreJSONSchema compiles every schema of the document as
// JSON Schema 2020-12 (the dialect of OpenAPI 3.1), which checks each one
// against the meta-schema: a misspelt type or keyword value fails here.
func TestOpenAPISchemasAreJSONSchema(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	defs, err := json.Marshal(doc.Components.Schemas)
	if err != nil {
		t.Fatal(err)
	}
	defs = bytes.ReplaceAll(defs, []byte(`"#/components/schemas/`), []byte(`"#/$defs/`))
	standalone := []byte(`{"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": ` + string(defs) + `}`)
	root, err := jsonschema.UnmarshalJSON(bytes.NewReader(standalone))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("mem:///schemas.json", root); err != nil {
		t.Fatal(err)
	}
	for name := range doc.Components.Schemas {
		if _, err := c.Compile("mem:///schemas.json#/$defs/" + name); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}
	if len(doc.Components.Schemas) < 20 {
		t.Errorf("only %d schemas", len(doc.Components.Schemas))
	}
	bad := []byte(`{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "strin"}`)
	badRoot, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	c2 := jsonschema.NewCompiler()
	_ = c2.AddResource("mem:///bad.json", badRoot)
	if _, err := c2.Compile("mem:///bad.json"); err == nil {
		t.Error("the meta-schema check accepted an invalid schema")
	}
}
