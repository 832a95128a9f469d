package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"coopledger/ledger"
)

// Strict JSON request bodies. A body is checked in three passes before the
// ledger sees it: it must be syntactically complete JSON with nothing after
// it; its shape must match the target type exactly (known fields spelled
// exactly, no duplicates, the right JSON types, amounts the ledger accepts),
// every problem reported with its field path ("lines[1].debit"); then it is
// decoded with the standard decoder.

// maxDetails bounds the field problems reported for one body.
const maxDetails = 20

// bodyKey caches the request body in the Echo context: the idempotency
// middleware hashes the same bytes the handler decodes.
const bodyKey = "coopledger.body"

// RequestBody reads the whole body once; the body-limit middleware makes an
// oversized body fail here with 413.
func RequestBody(c echo.Context) ([]byte, error) {
	if b, ok := c.Get(bodyKey).([]byte); ok {
		return b, nil
	}
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return nil, he
		}
		return nil, Invalid("body", "读取请求体失败")
	}
	c.Set(bodyKey, b)
	return b, nil
}

// DecodeJSON decodes the request body into dst (a pointer to a struct).
func DecodeJSON(c echo.Context, dst any) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	body, err := RequestBody(c)
	if err != nil {
		return err
	}
	return DecodeStrict(body, dst)
}

// DecodeEmpty accepts a POST that carries no data: no body at all, or a JSON
// object without fields.
func DecodeEmpty(c echo.Context) error {
	body, err := RequestBody(c)
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return err
	}
	if err := requireJSON(c); err != nil {
		return err
	}
	return DecodeStrict(body, &struct{}{})
}

// requireJSON refuses bodies that are not declared as UTF-8 JSON.
func requireJSON(c echo.Context) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	mt, params, err := mime.ParseMediaType(ct)
	charset := strings.ToLower(params["charset"])
	if err != nil || mt != echo.MIMEApplicationJSON || (charset != "" && charset != "utf-8") {
		msg := "请求体应为 JSON，请设置 Content-Type: application/json"
		return &ledger.Error{Code: CodeUnsupportedMedia, Message: "Content-Type：" + msg,
			Details: []ledger.Detail{{Field: "Content-Type", Message: msg}}}
	}
	return nil
}

// DecodeStrict runs the three passes on body.
func DecodeStrict(body []byte, dst any) error {
	if err := checkSyntax(body); err != nil {
		return err
	}
	v := NewFieldErrors()
	checkShape(&v, json.RawMessage(body), reflect.TypeOf(dst).Elem(), "")
	if err := v.Err(); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return Invalid("body", "请求体无法解析：%s", err.Error())
	}
	return nil
}

// checkSyntax requires one complete JSON value in valid UTF-8 and nothing after it.
func checkSyntax(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return Invalid("body", "请求体不能为空")
	}
	if !utf8.Valid(body) {
		return Invalid("body", "请求体不是有效的 UTF-8 编码")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return Invalid("body", "请求体不是有效的 JSON：第 %d 个字节附近有语法错误", syn.Offset)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return Invalid("body", "请求体 JSON 不完整（可能被截断）")
		}
		return Invalid("body", "请求体不是有效的 JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Invalid("body", "请求体在 JSON 之后还有多余内容")
	}
	return nil
}

// FieldErrors collects field problems of a request: the ledger's Validation,
// with its Limit set to maxDetails by NewFieldErrors.
type FieldErrors = ledger.Validation

// NewFieldErrors collects at most maxDetails problems for one body.
func NewFieldErrors() FieldErrors { return FieldErrors{Limit: maxDetails} }

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	RawMessageType  = reflect.TypeFor[json.RawMessage]()
	DecimalType     = reflect.TypeFor[decimal.Decimal]()
)

// DecimalPattern is the plain notation accepted for areas, shares, rates and
// quantities, as a string or a JSON number: no exponent, no sign but minus
// (the ledger refuses negatives naming the field), no spaces.
var DecimalPattern = regexp.MustCompile(`^-?[0-9]{1,18}(\.[0-9]{1,18})?$`)

// checkDecimal accepts "3.5" or 3.5 and refuses anything else in Chinese
// (the decimal package's own errors are in English).
func checkDecimal(v *FieldErrors, raw json.RawMessage, path string) {
	text := string(raw)
	if len(text) >= 2 && text[0] == '"' && text[len(text)-1] == '"' {
		text = text[1 : len(text)-1]
	}
	if !DecimalPattern.MatchString(text) {
		v.Add(path, "应为十进制数（如 3.5 或 \"3.5\"），不接受指数形式，收到 %s", ledger.Truncate(string(raw), 32))
	}
}

// checkShape compares raw with type t, recording every mismatch under its path.
func checkShape(v *FieldErrors, raw json.RawMessage, t reflect.Type, path string) {
	isNull := string(raw) == "null"
	switch {
	case t == RawMessageType:
		return
	case t == DecimalType && !isNull:
		checkDecimal(v, raw, path)
		return
	case t.Kind() == reflect.Pointer:
		if !isNull {
			checkShape(v, raw, t.Elem(), path)
		}
		return
	case reflect.PointerTo(t).Implements(unmarshalerType):
		if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
			v.Add(path, "%s", err.Error())
		}
		return
	case isNull:
		v.Add(path, "不能为 null")
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		checkObject(v, raw, t, path)
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			v.Add(path, "应为数组")
			return
		}
		for i, item := range items {
			checkShape(v, item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	default:
		target := reflect.New(t)
		if json.Unmarshal(raw, target.Interface()) != nil {
			v.Add(path, "应为%s", kindName(t.Kind()))
		} else if t.Kind() == reflect.String && hasControl(target.Elem().String()) {
			v.Add(path, "不能包含控制字符（如 \\u0000）")
		}
	}
}

// hasControl reports C0 control characters other than tab, line feed and
// carriage return, and DEL: they have no place in a name, code or summary,
// and a NUL breaks SQL drivers.
func hasControl(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return true
		}
	}
	return false
}

// checkObject checks a JSON object against a struct: each key must name a
// field exactly (no case folding) and appear once.
func checkObject(v *FieldErrors, raw json.RawMessage, t reflect.Type, path string) {
	fields := jsonFields(t)
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		v.Add(path, "应为对象")
		return
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			v.Add(path, "对象格式不正确")
			return
		}
		key, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			v.Add(path, "对象格式不正确")
			return
		}
		field := joinPath(path, key)
		f, known := fields[key]
		switch {
		case !known:
			v.Add(field, "不是可接受的字段（请核对字段名的拼写和大小写）")
		case seen[key]:
			v.Add(field, "字段重复出现")
		default:
			checkShape(v, value, f.Type, field)
		}
		seen[key] = true
	}
}

// jsonFields maps the JSON names of t's exported fields to the fields.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for _, f := range reflect.VisibleFields(t) {
		name, ok := JSONName(f)
		if ok {
			out[name] = f
		}
	}
	return out
}

// JSONName is the name encoding/json uses for f; ok is false for skipped fields.
func JSONName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	if !f.IsExported() || tag == "-" || f.Anonymous {
		return "", false
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, true
}

func joinPath(path, key string) string {
	if r := []rune(key); len(r) > 64 {
		key = string(r[:64]) + "…"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "字符串"
	case reflect.Bool:
		return " true 或 false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "整数（且在允许范围内）"
	case reflect.Float32, reflect.Float64:
		return "数字"
	case reflect.Map:
		return "对象"
	}
	return "正确的类型"
}
