package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// The OpenAPI 3.1 document is generated from the operations below and from
// the Go types the handlers decode and encode, so schemas cannot drift from
// the code; a test checks the operations against the routes Echo serves and
// validates the document against the OpenAPI 3.1 schema.

// operation documents one route.
type operation struct {
	method, path string // path in OpenAPI form: /api/v1/books/{book}
	summary      string
	roles        string // who may call it
	query        []param
	body         any     // request body (a zero value of its type); nil for none
	emptyBody    bool    // a POST that takes no data: no body, or {}
	optionalBody bool    // body may be left out entirely
	status       int     // success status
	result       any     // response body (a zero value of its type); nil for none
	public       bool    // no token needed
	altStatus    int     // a second success status with the same result
	produces     string  // a file download's media type instead of JSON
	upload       []param // an upload: multipart form fields besides "file"
	document     bool    // an upload of one source document in "file"
	page         bool    // a public HTML page: 404 and 429 answer HTML too
}

// param is a query parameter.
type param struct {
	name, desc string
	schema     map[string]any
	required   bool
}

const v1 = "/api/v1"

var (
	periodSchema     = map[string]any{"type": "string", "pattern": `^[0-9]{4}-(0[1-9]|1[0-2])$`, "examples": []string{"2026-03"}}
	dateSchema       = map[string]any{"type": "string", "pattern": `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, "examples": []string{"2026-03-15"}}
	codeSchema       = map[string]any{"type": "string", "pattern": `^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`}
	accountSchema    = map[string]any{"type": "string", "pattern": `^[0-9]{1,16}$`, "examples": []string{"21101"}}
	idSchema         = map[string]any{"type": "string", "pattern": `^[1-9][0-9]{0,18}$`}
	quarterSchema    = map[string]any{"type": "string", "pattern": `^[0-9]{4}Q[1-4]$`, "examples": []string{"2026Q3"}}
	limitParam       = param{"limit", "每页条数，1 到 1000，默认 100", map[string]any{"type": "integer", "minimum": 1, "maximum": httpx.MaxPageSize}, false}
	rangeParams      = []param{{"from", "开始期间（含）", periodSchema, true}, {"to", "结束期间（含）", periodSchema, true}}
	hideZeroParam    = param{"hide_zero", "true 时不列期初、本期、期末和本年累计都为零的科目", map[string]any{"type": "string", "enum": []string{"true", "false"}}, false}
	formatParam      = param{"format", "xlsx（默认）或 pdf（需服务器装有 LibreOffice）", map[string]any{"type": "string", "enum": []string{"xlsx", "pdf"}}, false}
	yearQueryParam   = param{"year", "年度，如 2026", map[string]any{"type": "string", "pattern": `^[0-9]{4}$`}, true}
	bankAccountParam = param{"account", "银行存款科目（102 或其明细科目）", accountSchema, true}
)

func afterParam(desc string, schema map[string]any) param {
	return param{"after", desc + "（上一页响应的 next）", schema, false}
}

const (
	anyUser    = "任何已登录用户"
	admin      = "管理员"
	readers    = "账套范围内的会计、乡镇财政、审计"
	writers    = "账套范围内的会计"
	posters    = "账套范围内的会计（非制单人）、乡镇财政"
	closers    = "账套范围内的会计、乡镇财政"
	townshipOf = "账套所属乡镇的乡镇财政"
	approvers  = "账套范围内的会计（非编制人）、乡镇财政"
)

// operations lists every API route of httpapi/routes.go.
var operations = []operation{
	{method: "GET", path: "/healthz", summary: "健康检查（数据库可用）", status: 200, result: health{}, public: true},
	{method: "GET", path: "/openapi.json", summary: "本 OpenAPI 3.1 文档", status: 200, result: map[string]any{}, public: true},
	{method: "GET", path: v1 + "/healthz", summary: "健康检查（数据库可用）", status: 200, result: health{}, public: true},
	{method: "GET", path: v1 + "/openapi.json", summary: "本 OpenAPI 3.1 文档", status: 200, result: map[string]any{}, public: true},

	{method: "GET", path: v1 + "/me", summary: "当前用户", roles: anyUser, status: 200, result: ledger.User{}},
	{method: "POST", path: v1 + "/users", summary: "创建用户并返回其令牌（仅显示一次）", roles: admin, body: ledger.NewUser{}, status: 201, result: createdUser{}},
	{method: "POST", path: v1 + "/users/{id}/grants", summary: "授予用户账套或乡镇角色（同一账套只保留一个角色）", roles: admin + "；本乡镇账套：乡镇财政", body: ledger.GrantInput{}, status: 200, result: ledger.User{}},
	{method: "POST", path: v1 + "/users/{id}/grants/revoke", summary: "收回用户在账套或乡镇的角色", roles: admin + "；本乡镇账套：乡镇财政", body: ledger.GrantInput{}, status: 200, result: ledger.User{}},

	{method: "POST", path: v1 + "/books", summary: "创建账套", roles: admin, body: ledger.NewBook{}, status: 201, result: ledger.Book{}},
	{method: "GET", path: v1 + "/books", summary: "可见的账套", roles: anyUser, status: 200, result: httpx.List[ledger.Book]{}},
	{method: "GET", path: v1 + "/books/{book}", summary: "账套信息", roles: readers + "；管理员", status: 200, result: ledger.Book{}},
	{method: "PUT", path: v1 + "/books/{book}/go-live", summary: "设置上线月份（此前的月份只能通过经审核的历史凭证导入录入）；该月及以后已有记账凭证时不能再改", roles: townshipOf + "；管理员", body: GoLiveRequest{}, status: 200, result: ledger.Book{}},
	{method: "PUT", path: v1 + "/books/{book}/segregation", summary: "豁免或恢复不相容职务分离（一人村）", roles: townshipOf, body: segregationRequest{}, status: 200, result: ledger.Book{}},
	{method: "GET", path: v1 + "/books/{book}/contact", summary: "账套联系人（农户对账页和财务公开页上印出的姓名和电话；未设置时两项为空）", roles: readers, status: 200, result: ledger.BookContact{}},
	{method: "PUT", path: v1 + "/books/{book}/contact", summary: "设置账套联系人（姓名和电话；两项都为空则清除）", roles: closers, body: ledger.BookContact{}, status: 200, result: ledger.BookContact{}},

	{method: "GET", path: v1 + "/books/{book}/accounts", summary: "科目表", roles: readers, status: 200, result: httpx.List[ledger.Account]{}},
	{method: "POST", path: v1 + "/books/{book}/accounts", summary: "增设明细科目", roles: writers, body: ledger.NewAccount{}, status: 201, result: ledger.Account{}},

	{method: "GET", path: v1 + "/books/{book}/households", summary: "农户花名册（分页）", roles: readers, status: 200, result: httpx.Page[ledger.Household]{},
		query: []param{{"q", "按户编号、户主姓名或村民小组筛选", map[string]any{"type": "string", "maxLength": 64}, false}, afterParam("户编号游标", codeSchema), limitParam}},
	{method: "POST", path: v1 + "/books/{book}/households", summary: "登记农户", roles: writers, body: householdRequest{}, status: 201, result: ledger.Household{}},
	{method: "GET", path: v1 + "/books/{book}/households/{code}", summary: "农户信息", roles: readers, status: 200, result: ledger.Household{}},
	{method: "PATCH", path: v1 + "/books/{book}/households/{code}", summary: "修改农户信息（未给出的字段不变）", roles: writers, body: ledger.HouseholdPatch{}, status: 200, result: ledger.Household{}},
	{method: "GET", path: v1 + "/books/{book}/households/{code}/statement", summary: "农户对账单", roles: readers, query: rangeParams, status: 200, result: ledger.HouseholdStatement{}},

	{method: "GET", path: v1 + "/books/{book}/parties", summary: "往来单位（分页）", roles: readers, status: 200, result: httpx.Page[ledger.Party]{},
		query: []param{afterParam("单位编号游标", codeSchema), limitParam}},
	{method: "POST", path: v1 + "/books/{book}/parties", summary: "登记往来单位", roles: writers, body: partyRequest{}, status: 201, result: ledger.Party{}},
	{method: "GET", path: v1 + "/books/{book}/parties/{code}", summary: "往来单位信息", roles: readers, status: 200, result: ledger.Party{}},
	{method: "PATCH", path: v1 + "/books/{book}/parties/{code}", summary: "修改往来单位（未给出的字段不变）", roles: writers, body: ledger.PartyPatch{}, status: 200, result: ledger.Party{}},

	{method: "GET", path: v1 + "/books/{book}/vouchers", summary: "凭证列表（分页，按 ID 升序）", roles: readers, status: 200, result: httpx.Page[ledger.Voucher]{},
		query: []param{{"period", "期间", periodSchema, false}, {"status", "状态", map[string]any{"type": "string", "enum": []string{"draft", "posted"}}, false},
			{"account", "科目（含其明细科目）", accountSchema, false}, {"household", "户编号", codeSchema, false}, afterParam("凭证 ID 游标", idSchema), limitParam}},
	{method: "POST", path: v1 + "/books/{book}/vouchers", summary: "填制凭证（草稿）", roles: writers, body: ledger.VoucherInput{}, status: 201, result: ledger.Voucher{}},
	{method: "POST", path: v1 + "/books/{book}/vouchers/batch", summary: "提交一批上线月份之前的已审核历史凭证（每批至多 1000 张；整批校验，保留原凭证号、日期和原制单人、原审核人姓名）：存为待审核导入，不记账、不编号，须由本镇财政所另一人审核通过后整批过账；请求体至多 32 MiB", roles: writers, body: ledger.ImportBatch{}, status: 201, result: ledger.PendingImport{}},
	{method: "GET", path: v1 + "/books/{book}/voucher-imports", summary: "历史凭证导入（最新在前，至多 500 条）", roles: readers, status: 200, result: httpx.List[ledger.PendingImport]{},
		query: []param{{"status", "状态", map[string]any{"type": "string", "enum": []string{"pending", "approved", "rejected"}}, false}}},
	{method: "GET", path: v1 + "/books/{book}/voucher-imports/{id}", summary: "一次历史凭证导入", roles: readers, status: 200, result: ledger.PendingImport{}},
	{method: "POST", path: v1 + "/books/{book}/voucher-imports/{id}/approve", summary: "审核通过历史凭证导入：重新校验后整批过账（全部成功或全部不导入），上传人为制单人、审核人为本人；上传人本人不能审核", roles: townshipOf, emptyBody: true, status: 200, result: ledger.PendingImport{}},
	{method: "POST", path: v1 + "/books/{book}/voucher-imports/{id}/reject", summary: "驳回历史凭证导入（须说明理由），不记账；上传人也可撤回自己的导入", roles: townshipOf + "；上传人", body: RejectRequest{}, status: 200, result: ledger.PendingImport{}},
	{method: "GET", path: v1 + "/books/{book}/vouchers/{id}", summary: "凭证详情", roles: readers, status: 200, result: ledger.Voucher{}},
	{method: "PATCH", path: v1 + "/books/{book}/vouchers/{id}", summary: "修改草稿凭证（仅制单人；给出 lines 则整体替换）", roles: writers, body: ledger.VoucherPatch{}, status: 200, result: ledger.Voucher{}},
	{method: "DELETE", path: v1 + "/books/{book}/vouchers/{id}", summary: "删除草稿凭证（仅制单人）", roles: writers, status: 204},
	{method: "POST", path: v1 + "/books/{book}/vouchers/{id}/post", summary: "审核过账：编号、入哈希链", roles: posters, emptyBody: true, status: 200, result: ledger.Voucher{}},
	{method: "POST", path: v1 + "/books/{book}/vouchers/{id}/return", summary: "驳回草稿凭证：退回制单人并说明理由（审核人，非制单人）", roles: posters, body: returnRequest{}, status: 200, result: ledger.DraftReturn{}},
	{method: "POST", path: v1 + "/books/{book}/vouchers/{id}/reverse", summary: "红字冲销：生成冲销草稿", roles: writers, body: ledger.ReverseInput{}, status: 201, result: ledger.Voucher{}},
	{method: "GET", path: v1 + "/books/{book}/vouchers/{id}/documents", summary: "凭证所附原始凭证（扫描件、照片）列表，含 SHA-256；过账后补充的标为 addendum", roles: readers, status: 200, result: httpx.List[ledger.Document]{}},
	{method: "POST", path: v1 + "/books/{book}/vouchers/{id}/documents", summary: "上传一份原始凭证（JPEG、PNG 或 PDF，按文件内容判断，不超过 10 MB，每张凭证最多 20 份）：草稿由制单人上传，过账时其 SHA-256 进入凭证哈希；已过账凭证只能由会计或乡镇财政补充（addendum），单独记入审计日志，不改变凭证哈希。不接受幂等键",
		roles: "草稿：制单人；已过账：" + closers, status: 201, result: ledger.Document{}, document: true},
	{method: "GET", path: v1 + "/books/{book}/vouchers/{id}/documents/{doc}", summary: "下载（在浏览器中查看）一份原始凭证", roles: readers, status: 200, produces: mimeDocument},
	{method: "GET", path: v1 + "/books/{book}/receipts", summary: "报账单据（村账乡代管：报账员提交、代理会计据以制单）", roles: readers, query: []param{{"status", "submitted（待制单）或 prepared（已制单）", map[string]any{"type": "string", "enum": []string{ledger.ReceiptSubmitted, ledger.ReceiptPrepared}}, false}}, status: 200, result: httpx.List[ledger.Receipt]{}},
	{method: "POST", path: v1 + "/books/{book}/receipts", summary: "报账员提交单据：说明、金额和日期（供制单参考），附件另行上传", roles: "账套的报账员、会计", body: ledger.ReceiptInput{}, status: 201, result: ledger.Receipt{}},
	{method: "GET", path: v1 + "/books/{book}/receipts/{id}", summary: "报账单据详情（提交人、制单人、附件）", roles: readers, status: 200, result: ledger.Receipt{}},
	{method: "POST", path: v1 + "/books/{book}/receipts/{id}/documents", summary: "为待制单的单据上传附件（仅提交人；JPEG、PNG 或 PDF，不超过 10 MB，最多 20 份）。不接受幂等键",
		roles: "提交人", status: 201, result: ledger.Document{}, document: true},
	{method: "GET", path: v1 + "/books/{book}/receipts/{id}/documents/{doc}", summary: "下载（查看）单据的一份附件", roles: readers, status: 200, produces: mimeDocument},
	{method: "POST", path: v1 + "/books/{book}/receipts/{id}/prepare", summary: "代理会计据单据制单：生成草稿凭证（制单人为本人），单据的附件转到草稿；报账员不能制单", roles: writers, body: ledger.VoucherInput{}, status: 201, result: ledger.Voucher{}},
	{method: "GET", path: v1 + "/books/{book}/summary-phrases", summary: "常用摘要（录入凭证时在摘要格供选择）", roles: readers, status: 200, result: []ledger.SummaryPhrase{}},
	{method: "POST", path: v1 + "/books/{book}/summary-phrases", summary: "新增常用摘要（每个账套至多 500 条，不重复）", roles: writers, body: SummaryPhraseRequest{}, status: 201, result: ledger.SummaryPhrase{}},
	{method: "DELETE", path: v1 + "/books/{book}/summary-phrases/{id}", summary: "删除常用摘要", roles: writers, status: 204},
	{method: "GET", path: v1 + "/books/{book}/voucher-templates", summary: "凭证模板（每月工资等常用凭证，含分录）", roles: readers, status: 200, result: []ledger.VoucherTemplate{}},
	{method: "POST", path: v1 + "/books/{book}/voucher-templates", summary: "把本账套的一张凭证存为模板（红字冲销凭证除外；名称不重复）", roles: writers, body: ledger.TemplateInput{}, status: 201, result: ledger.VoucherTemplate{}},
	{method: "DELETE", path: v1 + "/books/{book}/voucher-templates/{id}", summary: "删除凭证模板（已生成的草稿不受影响）", roles: writers, status: 204},
	{method: "POST", path: v1 + "/books/{book}/voucher-templates/{id}/vouchers", summary: "按模板生成指定日期的凭证草稿（与录入的凭证同样校验）", roles: writers, body: TemplateVoucherRequest{}, status: 201, result: ledger.Voucher{}},

	{method: "GET", path: v1 + "/books/{book}/opening-balances", summary: "期初余额凭证（可分次录入）", roles: readers, status: 200, result: httpx.List[ledger.Voucher]{}},
	{method: "POST", path: v1 + "/books/{book}/opening-balances", summary: "录入期初余额（每次借贷须平衡，可分次录入；记入启用期间前一月末，须在任何期间结账之前）", roles: writers, body: ledger.OpeningInput{}, status: 201, result: ledger.Voucher{}},
	{method: "POST", path: v1 + "/books/{book}/opening-balances/move", summary: "将旧版以普通凭证录入的期初建账迁入期初余额：按原分录过账期初余额，并生成原凭证的红字冲销草稿待他人审核（须先反结账至启用期间）", roles: writers, body: moveOpeningRequest{}, status: 201, result: ledger.MovedOpening{}},

	{method: "GET", path: v1 + "/books/{book}/periods", summary: "会计期间及结账状态", roles: readers, status: 200, result: httpx.List[ledger.PeriodStatus]{}},
	{method: "POST", path: v1 + "/books/{book}/periods/{period}/close", summary: "结账", roles: closers, emptyBody: true, status: 200, result: ledger.PeriodStatus{}},
	{method: "POST", path: v1 + "/books/{book}/periods/{period}/reopen", summary: "反结账（须填写理由）", roles: townshipOf, body: reopenRequest{}, status: 200, result: ledger.PeriodStatus{}},

	{method: "GET", path: v1 + "/books/{book}/agreements", summary: "协议列表（含各版本条款）", roles: readers, status: 200, result: httpx.List[ledger.Agreement]{}},
	{method: "POST", path: v1 + "/books/{book}/agreements", summary: "登记协议及其参与农户和条款（第 1 版）", roles: writers, body: ledger.AgreementInput{}, status: 201, result: ledger.Agreement{}},
	{method: "GET", path: v1 + "/books/{book}/agreements/{code}", summary: "协议详情（含各版本条款）", roles: readers, status: 200, result: ledger.Agreement{}},
	{method: "POST", path: v1 + "/books/{book}/agreements/{code}/versions", summary: "变更协议：新版本条款自某日起生效，既往不改", roles: writers, body: ledger.VersionInput{}, status: 201, result: ledger.Agreement{}},
	{method: "POST", path: v1 + "/books/{book}/agreements/{code}/declarations", summary: "申报某季度按股分配的分红总额（或合作社可分配盈余）", roles: writers, body: ledger.DeclarationInput{}, status: 201, result: ledger.Declaration{}},
	{method: "GET", path: v1 + "/books/{book}/agreements/{code}/work-records", summary: "务工记录", roles: readers, status: 200, result: httpx.List[ledger.WorkRecord]{},
		query: []param{{"quarter", "只看某季度", quarterSchema, false}}},
	{method: "POST", path: v1 + "/books/{book}/agreements/{code}/work-records", summary: "登记一批务工记录（全部成功或全部不记）", roles: writers, body: workRecordsRequest{}, status: 201, result: httpx.List[ledger.WorkRecord]{}},

	{method: "GET", path: v1 + "/books/{book}/payout-runs", summary: "收益分配列表（不含明细行，新的在前）", roles: readers, status: 200, result: httpx.List[payoutRunSummary]{},
		query: []param{{"quarter", "只看某季度", quarterSchema, false}}},
	{method: "POST", path: v1 + "/books/{book}/payout-runs", summary: "计算某季度的收益分配（草稿）；adjustment 为 true 时只计算已审批分配的差额", roles: writers, body: ledger.RunInput{}, status: 201, result: ledger.PayoutRun{}},
	{method: "GET", path: v1 + "/books/{book}/payout-runs/{id}", summary: "收益分配详情：每户每协议的应发、已付、未付及计算依据，按户、协议、类别合计", roles: readers, status: 200, result: ledger.PayoutRun{}},
	{method: "POST", path: v1 + "/books/{book}/payout-runs/{id}/recompute", summary: "按现行条款重新计算草稿（重算人成为编制人）", roles: writers, emptyBody: true, status: 200, result: ledger.PayoutRun{}},
	{method: "POST", path: v1 + "/books/{book}/payout-runs/{id}/approve", summary: "审批：生成并过账计提凭证（每协议一张），分配冻结；审批人不能是编制人", roles: approvers, body: ledger.ApproveInput{}, optionalBody: true, status: 200, result: ledger.PayoutRun{}},
	{method: "GET", path: v1 + "/books/{book}/payout-runs/{id}/payments", summary: "本次分配的付款记录", roles: readers, status: 200, result: httpx.List[ledger.Payment]{}},
	{method: "POST", path: v1 + "/books/{book}/payout-runs/{id}/payments", summary: "登记一批付款（银行代发或现金），生成并过账付款凭证；可部分付款，不得超付、不得重复流水号", roles: writers, body: paymentsRequest{}, status: 201, result: httpx.List[ledger.Payment]{}},

	{method: "GET", path: v1 + "/books/{book}/trial-balance", summary: "科目余额表（含本年累计；hide_zero=true 不列无余额无发生额的科目）", roles: readers, query: append(append([]param{}, rangeParams...), hideZeroParam), status: 200, result: ledger.TrialBalance{}},
	{method: "GET", path: v1 + "/books/{book}/ledger", summary: "明细账", roles: readers, status: 200, result: ledger.AccountLedger{},
		query: append([]param{{"account", "科目代码", accountSchema, true}, {"household", "只看一户", codeSchema, false}}, rangeParams...)},
	{method: "GET", path: v1 + "/books/{book}/audit-log", summary: "审计日志（分页）", roles: readers, status: 200, result: httpx.Page[ledger.AuditEntry]{},
		query: []param{{"user", "用户 ID", idSchema, false}, {"action", "操作，如 create、post、close", map[string]any{"type": "string", "pattern": "^[a-z_]{1,32}$"}, false},
			{"from", "开始日期（含）", dateSchema, false}, {"to", "结束日期（含）", dateSchema, false}, afterParam("日志 ID 游标", idSchema), limitParam}},
	{method: "GET", path: v1 + "/books/{book}/verify", summary: "校验哈希链、编号与余额", roles: readers, status: 200, result: ledger.VerifyReport{}},

	{method: "GET", path: v1 + "/books/{book}/payout-runs/{id}/roster.xlsx", summary: "收益分配发放花名册（Excel，含完整身份证号和银行账号）", roles: readers, status: 200, produces: MimeXLSX},
	{method: "GET", path: v1 + "/books/{book}/payout-runs/{id}/slips", summary: "各户对账二维码（HTML 打印页，每户一页 A4：户主、村民小组、二维码与链接地址；只含有对账链接的农户）", roles: readers, status: 200,
		produces: echo.MIMETextHTMLCharsetUTF8, query: []param{{"page", "第几页（每页 500 户），默认 1", map[string]any{"type": "integer", "minimum": 1}, false}}},
	{method: "GET", path: v1 + "/books/{book}/payout-runs/{id}/notice.xlsx", summary: "收益分配公示表（Excel，身份证号和账号脱敏）", roles: readers, status: 200, produces: MimeXLSX,
		query: []param{{"from", "公示开始日期，默认今天", dateSchema, false},
			{"days", "公示天数，默认 7", map[string]any{"type": "integer", "minimum": 1, "maximum": maxNoticeDays}, false},
			{"working_days", "按工作日计算公示期", map[string]any{"type": "string", "enum": []string{"true", "false"}}, false},
			{"contact", "异议受理方式，如电话", map[string]any{"type": "string", "maxLength": 64}, false}}},
	{method: "GET", path: v1 + "/townships/{township}/payouts.xlsx", summary: "乡镇收益分配汇总表（Excel，汇总页为引用各村工作表的公式，含核对列）", roles: "该乡镇的乡镇财政、审计",
		status: 200, produces: MimeXLSX, query: []param{{"quarter", "季度", quarterSchema, true}}},
	{method: "GET", path: v1 + "/books/{book}/trial-balance.xlsx", summary: "科目余额表（Excel，含本年累计）", roles: readers, query: append(append([]param{}, rangeParams...), hideZeroParam), status: 200, produces: MimeXLSX},
	{method: "GET", path: v1 + "/books/{book}/ledger.xlsx", summary: "明细账（Excel，每个科目一张工作表）", roles: readers, status: 200, produces: MimeXLSX,
		query: append([]param{{"account", "科目代码，多个以逗号分隔（最多 50 个）", map[string]any{"type": "string", "pattern": `^[0-9]{1,16}(,[0-9]{1,16}){0,49}$`}, true},
			{"household", "只看一户", codeSchema, false}}, rangeParams...)},
	{method: "GET", path: v1 + "/books/{book}/vouchers/print", summary: "打印一个月的记账凭证（会计基础工作规范第51条：总账科目和明细科目写名称，附单据张数，会计主管、记账、审核、出纳、制单签章；Excel，format=pdf 时由服务器上的 LibreOffice 转为 PDF）",
		roles: readers, status: 200, produces: MimeXLSX, query: []param{{"period", "期间", periodSchema, true},
			{"layout", "版式：half 凭证纸（半张 A4，每页两张，默认）或 full（每页一张）", map[string]any{"type": "string", "enum": []string{"half", "full"}}, false}, formatParam}},
	{method: "GET", path: v1 + "/books/{book}/vouchers/print.json", summary: "一个月已记账凭证的打印内容（科目名称、户名、附单据张数、签章人）", roles: readers, status: 200,
		result: ledger.VoucherPrintSet{}, query: []param{{"period", "期间", periodSchema, true}}},
	{method: "GET", path: v1 + "/books/{book}/general-ledger", summary: "总账：每个一级科目逐月的期初余额、本月合计、本年累计和余额（最多 12 个月）", roles: readers, query: rangeParams, status: 200, result: ledger.GeneralLedger{}},
	{method: "GET", path: v1 + "/books/{book}/general-ledger.xlsx", summary: "总账（Excel 打印，每个科目一页；format=pdf 为 PDF）", roles: readers, query: append(append([]param{}, rangeParams...), formatParam), status: 200, produces: MimeXLSX},
	{method: "GET", path: v1 + "/books/{book}/detail-ledger", summary: "明细账（逐月，含本月合计、本年累计；可只看一户）", roles: readers, status: 200, result: ledger.AccountBook{},
		query: append([]param{{"account", "科目代码", accountSchema, true}, {"household", "只看一户", codeSchema, false}}, rangeParams...)},
	{method: "GET", path: v1 + "/books/{book}/detail-ledger.xlsx", summary: "明细账（Excel 打印，含本月合计、本年累计；format=pdf 为 PDF）", roles: readers, status: 200, produces: MimeXLSX,
		query: append([]param{{"account", "科目代码", accountSchema, true}, {"household", "只看一户", codeSchema, false}, formatParam}, rangeParams...)},
	{method: "GET", path: v1 + "/books/{book}/cash-journal", summary: "现金日记账（101，按日期逐笔，本日合计、本月合计、本年累计和余额）", roles: readers, query: rangeParams, status: 200, result: ledger.AccountBook{}},
	{method: "GET", path: v1 + "/books/{book}/cash-journal.xlsx", summary: "现金日记账（Excel 打印；format=pdf 为 PDF）", roles: readers, query: append(append([]param{}, rangeParams...), formatParam), status: 200, produces: MimeXLSX},
	{method: "GET", path: v1 + "/books/{book}/bank-journal", summary: "银行存款日记账（102，按日期逐笔，本日合计、本月合计、本年累计和余额）", roles: readers, query: rangeParams, status: 200, result: ledger.AccountBook{}},
	{method: "GET", path: v1 + "/books/{book}/bank-journal.xlsx", summary: "银行存款日记账（Excel 打印；format=pdf 为 PDF）", roles: readers, query: append(append([]param{}, rangeParams...), formatParam), status: 200, produces: MimeXLSX},
	{method: "GET", path: v1 + "/books/{book}/households/{code}/statement.xlsx", summary: "农户收益明细（Excel）", roles: readers, query: rangeParams, status: 200, produces: MimeXLSX},
	{method: "GET", path: v1 + "/books/{book}/imports/{kind}/template.xlsx", summary: "导入模板（Excel）", roles: readers, status: 200, produces: MimeXLSX},
	{method: "POST", path: v1 + "/books/{book}/imports/{kind}", summary: "从 Excel 导入：逐行校验，全部导入或全部不导入，列出每一处错误的行和列；同一文件重复上传不重复入账（200，already_imported）；vouchers（历史凭证，仅上线月份之前）整个文件存为待审核导入（pending_import），由本镇财政所另一人审核通过后按原号、原日期整批过账，每个文件最多 20000 行分录",
		roles: writers, status: 201, altStatus: 200, result: reports.ImportResult{}, upload: []param{
			{"agreement", "协议编号（parcels、shares、work-records）", codeSchema, false},
			{"effective_from", "新登记表生效日期（parcels、shares）", dateSchema, false},
			{"run", "收益分配 ID（payments）", idSchema, false},
			{"account", "银行存款科目（bank-statement），如 102", accountSchema, false}}},

	{method: "GET", path: v1 + "/books/{book}/reconciliation", summary: "季度对账：每户每协议 应享 = 已计提 ≥ 已发，控制科目 = 明细账，付款可追溯；结论一行，问题与待复核事项逐条列出涉及的凭证号",
		roles: readers, query: []param{quarterParam}, status: 200, result: ledger.Reconciliation{}},
	{method: "GET", path: v1 + "/books/{book}/reconciliation.xlsx", summary: "季度对账报告（Excel，含本季度起的审计日志）", roles: readers, query: []param{quarterParam}, status: 200, produces: MimeXLSX},
	{method: "GET", path: v1 + "/townships/{township}/reconciliation", summary: "乡镇所有账套的季度对账", roles: "该乡镇的乡镇财政、审计", query: []param{quarterParam}, status: 200, result: ledger.TownshipReconciliation{}},
	{method: "GET", path: v1 + "/books/{book}/bank-lines", summary: "银行对账单流水（按月份），每条注明已对应的凭证分录", roles: readers, status: 200,
		query: []param{bankAccountParam, {"period", "月份，不填为全部", periodSchema, false}}},
	{method: "POST", path: v1 + "/books/{book}/bank-lines/auto-match", summary: "自动对账：未对应的流水与银行存款分录按金额、日期（前后 5 天）和流水号配对", roles: writers, emptyBody: true, status: 200,
		query: []param{bankAccountParam}},
	{method: "POST", path: v1 + "/books/{book}/bank-lines/{id}/match", summary: "手工对应：流水与同一科目、同一金额方向的已记账凭证分录", roles: writers, status: 200,
		body: ledger.MatchInput{}, result: ledger.BankLine{}},
	{method: "DELETE", path: v1 + "/books/{book}/bank-lines/{id}/match", summary: "取消流水与凭证分录的对应", roles: writers, status: 200, result: ledger.BankLine{}},
	{method: "GET", path: v1 + "/books/{book}/bank-reconciliation", summary: "银行存款余额调节表（月末）：企业账面余额与银行对账单余额，四类未达账项，调节后余额及差额",
		roles: readers, query: []param{bankAccountParam, {"period", "月份", periodSchema, true}}, status: 200, result: ledger.BankReconciliationReport{}},
	{method: "GET", path: v1 + "/books/{book}/bank-reconciliation.xlsx", summary: "银行存款余额调节表（Excel，A4）", roles: readers,
		query: []param{bankAccountParam, {"period", "月份", periodSchema, true}}, status: 200, produces: MimeXLSX},
	{method: "GET", path: v1 + "/books/{book}/chain-head", summary: "链头：最后一张记账凭证的编号和哈希（可抄入纸质档案，日后核对）", roles: readers, status: 200, result: ledger.ChainHead{}},
	{method: "GET", path: v1 + "/books/{book}/journal", summary: "日记账导出（hledger 或 beancount），可用 hledger check、bean-check 独立核对", roles: readers, status: 200, produces: echo.MIMETextPlainCharsetUTF8,
		query: []param{{"format", "格式，默认 hledger", map[string]any{"type": "string", "enum": []string{ledger.JournalHledger, ledger.JournalBeancount}}, false},
			{"from", "开始期间（含），默认账套首月；之前的余额作为期初", periodSchema, false}, {"to", "结束期间（含），默认最后有凭证的月份", periodSchema, false}}},

	{method: "GET", path: v1 + "/books/{book}/balance-sheet", summary: "资产负债表（月末；年初余额与期末余额）", roles: readers, query: []param{monthParam}, status: 200, result: ledger.BalanceSheet{}},
	{method: "GET", path: v1 + "/books/{book}/income-statement", summary: "收益及收益分配表（合作社：盈余及盈余分配表）：本年金额（年初至 to）与上年金额（上年同期）；from..to 的收入、支出另列", roles: readers, query: rangeParams, status: 200, result: ledger.IncomeStatement{}},
	{method: "GET", path: v1 + "/books/{book}/equity-changes", summary: "成员权益变动表（会农社03表，仅合作社）：股金、专项基金、资本公积、盈余公积、未分配盈余的年初余额、本年增加数、本年减少数、年末余额", roles: readers, query: []param{monthParam}, status: 200, result: ledger.EquityChanges{}},
	{method: "GET", path: v1 + "/books/{book}/statements.xlsx", summary: "会计报表（Excel：资产负债表与收益及收益分配表；合作社另有成员权益变动表）", roles: readers, query: []param{monthParam}, status: 200, produces: MimeXLSX},
	{method: "GET", path: v1 + "/townships/{township}/statements", summary: "乡镇各账套报表并列及合计（按会计制度分组）", roles: "该乡镇的乡镇财政、审计", query: []param{monthParam}, status: 200, result: ledger.TownshipStatements{}},
	{method: "GET", path: v1 + "/townships/{township}/statements.xlsx", summary: "乡镇各账套报表并列及合计（Excel）", roles: "该乡镇的乡镇财政、审计", query: []param{monthParam}, status: 200, produces: MimeXLSX},
	{method: "GET", path: v1 + "/books/{book}/years/{year}", summary: "年度结转状态及结转凭证", roles: readers, status: 200, result: ledger.YearEnd{}},
	{method: "POST", path: v1 + "/books/{book}/years/{year}/prepare-closing", summary: "生成年终结转凭证草稿（损益结转本年收益、本年收益转未分配收益、各项分配转未分配收益），由他人审核过账；重新结转时先生成冲销",
		roles: writers, emptyBody: true, status: 201, result: httpx.List[ledger.Voucher]{}},
	{method: "POST", path: v1 + "/books/{book}/years/{year}/close", summary: "年度结账：此后不能再记入该年度", roles: closers, emptyBody: true, status: 200, result: ledger.YearEnd{}},
	{method: "POST", path: v1 + "/books/{book}/years/{year}/reopen", summary: "年度反结账（须填写理由）", roles: townshipOf, body: reopenRequest{}, status: 200, result: ledger.YearEnd{}},

	{method: "GET", path: v1 + "/books/{book}/members", summary: "合作社成员名册（分页）", roles: readers, status: 200, result: httpx.Page[ledger.Member]{},
		query: []param{afterParam("成员编号游标", codeSchema), limitParam}},
	{method: "POST", path: v1 + "/books/{book}/members", summary: "登记合作社成员（成员编号为花名册上的户编号）", roles: writers, body: memberRequest{}, status: 201, result: ledger.Member{}},
	{method: "GET", path: v1 + "/books/{book}/members/{code}", summary: "成员信息", roles: readers, status: 200, result: ledger.Member{}},
	{method: "PATCH", path: v1 + "/books/{book}/members/{code}", summary: "修改成员信息（未给出的字段不变）", roles: writers, body: ledger.MemberPatch{}, status: 200, result: ledger.Member{}},
	{method: "GET", path: v1 + "/books/{book}/members/{code}/account", summary: "成员账户（一个成员一个年度）", roles: readers, query: []param{yearQueryParam}, status: 200, result: ledger.MemberAccount{}},
	{method: "GET", path: v1 + "/books/{book}/member-accounts", summary: "全体成员的成员账户（一个年度，含合计）", roles: readers, query: []param{yearQueryParam}, status: 200, result: ledger.MemberAccounts{}},
	{method: "GET", path: v1 + "/books/{book}/member-accounts.xlsx", summary: "成员账户（Excel，A4 横向，合计为公式）", roles: readers, query: []param{yearQueryParam}, status: 200, produces: MimeXLSX},
	{method: "GET", path: v1 + "/books/{book}/charter", summary: "章程规定的盈余公积提取比例和量化方式", roles: readers, status: 200, result: ledger.Charter{}},
	{method: "PUT", path: v1 + "/books/{book}/charter", summary: "录入章程规定的盈余公积提取比例和量化方式", roles: townshipOf, body: ledger.Charter{}, status: 200, result: ledger.Charter{}},
	{method: "POST", path: v1 + "/books/{book}/years/{year}/quantification", summary: "年末把盈余公积和财政补助、捐赠形成的财产量化到成员（最大余额法，合计等于余额）", roles: writers, body: ledger.QuantifyInput{}, status: 201, result: ledger.Quantification{}},
	{method: "POST", path: v1 + "/books/{book}/surplus-plans", summary: "按账簿编制年度盈余分配方案（按交易量（额）返还不低于可分配盈余的60%，合计不超过可分配盈余）", roles: writers, body: ledger.PlanInput{}, status: 201, result: ledger.SurplusPlan{}},
	{method: "GET", path: v1 + "/books/{book}/surplus-plans/{id}", summary: "盈余分配方案", roles: readers, status: 200, result: ledger.SurplusPlan{}},
	{method: "PUT", path: v1 + "/books/{book}/surplus-plans/{id}/meeting", summary: "录入成员（代表）大会审议通过方案的日期、到会人数和决议扫描件", roles: writers, body: ledger.Meeting{}, status: 200, result: ledger.SurplusPlan{}},
	{method: "POST", path: v1 + "/books/{book}/surplus-plans/{id}/approve", summary: "审批盈余分配方案并记账（审批人不能是编制人）", roles: approvers, emptyBody: true, status: 200, result: ledger.SurplusPlan{}},
}

// publicOperations document public disclosure (disclosures.go here, the pages in package public).
var publicOperations = []operation{
	{method: "GET", path: v1 + "/books/{book}/disclosures", summary: "财务公开记录（含已撤回的；公开中的带公开网址）", roles: readers, status: 200, result: httpx.List[disclosure]{}},
	{method: "POST", path: v1 + "/books/{book}/disclosures", summary: "公开某季度的财务（收支、资产与债权债务、已审批的收益分配及公示名单，身份证号和账号脱敏）；返回不需登录即可访问的网址",
		roles: closers, body: disclosureRequest{}, status: 201, result: disclosure{}},
	{method: "DELETE", path: v1 + "/books/{book}/disclosures/{quarter}", summary: "撤回某季度的财务公开：原网址随即失效（404）", roles: closers, status: 200, result: disclosure{}},
	{method: "POST", path: v1 + "/books/{book}/households/{code}/link", summary: "生成（或重新生成）农户对账链接，网址只在本次响应中显示；重新生成后旧链接失效",
		roles: closers, emptyBody: true, status: 201, result: householdLink{}},
	{method: "DELETE", path: v1 + "/books/{book}/households/{code}/link", summary: "作废农户对账链接", roles: closers, status: 204},
	{method: "GET", path: "/p/{book}/{slug}", summary: "财务公开页（HTML，无需登录，可打印为一页 A4，附二维码与链头）", status: 200, public: true, page: true, produces: echo.MIMETextHTMLCharsetUTF8},
	{method: "GET", path: "/h/{book}/{token}", summary: "农户对账页（HTML，无需登录，只显示本户；可打印为一页对账单）", status: 200, public: true, page: true, produces: echo.MIMETextHTMLCharsetUTF8},
}

func init() { operations = append(operations, publicOperations...) }

var (
	quarterParam = param{"quarter", "季度", quarterSchema, true}
	monthParam   = param{"month", "月份 YYYY-MM", periodSchema, true}
)

// pathParams describes every {name} that appears in a path.
var pathParams = map[string]param{
	"book":     {"book", "账套代码", codeSchema, true},
	"code":     {"code", "户编号、单位编号或协议编号", codeSchema, true},
	"id":       {"id", "凭证 ID 或收益分配 ID", idSchema, true},
	"period":   {"period", "期间 YYYY-MM", periodSchema, true},
	"township": {"township", "乡镇代码", codeSchema, true},
	"year":     {"year", "年度", map[string]any{"type": "string", "pattern": "^[0-9]{4}$"}, true},
	"kind":     {"kind", "导入类型", map[string]any{"type": "string", "enum": importKindNames()}, true},
	"quarter":  {"quarter", "季度 YYYYQn", quarterSchema, true},
	"slug":     {"slug", "公开网址中的随机部分", map[string]any{"type": "string", "maxLength": 64}, true},
	"token":    {"token", "农户对账链接中的随机部分", map[string]any{"type": "string", "maxLength": 64}, true},
	"doc":      {"doc", "原始凭证 ID", idSchema, true},
}

func importKindNames() []string {
	out := make([]string, len(ledger.ImportKinds))
	for i, k := range ledger.ImportKinds {
		out[i] = string(k)
	}
	return out
}

var (
	openAPIOnce sync.Once
	openAPIJSON []byte
)

// OpenAPIDocument returns the document, built once.
func OpenAPIDocument() []byte {
	openAPIOnce.Do(func() {
		b, err := json.MarshalIndent(buildOpenAPI(), "", "  ")
		if err != nil {
			panic(fmt.Sprintf("openapi: %v", err))
		}
		openAPIJSON = b
	})
	return openAPIJSON
}

func (a *Handlers) OpenAPI(c echo.Context) error {
	return c.JSONBlob(http.StatusOK, OpenAPIDocument())
}

type obj = map[string]any

func ref(kind, name string) obj { return obj{"$ref": "#/components/" + kind + "/" + name} }

var pathParamPattern = regexp.MustCompile(`\{([a-z]+)\}`)

func buildOpenAPI() obj {
	g := &schemaGen{defs: obj{}}
	g.defs["Amount"] = obj{"type": "string", "pattern": `^-?[0-9]+\.[0-9]{2}$`, "examples": []string{"1234.50"},
		"description": "金额（元），两位小数的字符串"}
	g.defs["AmountInput"] = obj{"description": "金额（元）：字符串 \"1234.50\" 或 JSON 数字 1234.5，最多两位小数，不接受指数形式；按文本精确读取，不经浮点",
		"oneOf": []obj{{"type": "string", "pattern": `^-?(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?$`}, {"type": "number"}}}
	g.defs["Decimal"] = obj{"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`, "examples": []string{"3.5"},
		"description": "十进制数（面积、股数、费率），字符串，精确保存"}
	g.defs["DecimalInput"] = obj{"description": "十进制数：字符串 \"3.5\" 或 JSON 数字 3.5，不接受指数形式；按文本精确读取，不经浮点",
		"oneOf": []obj{{"type": "string", "pattern": httpx.DecimalPattern.String()}, {"type": "number"}}}
	errorSchema := g.of(reflect.TypeFor[httpx.Envelope](), false)
	paths := obj{}
	for _, op := range operations {
		item, _ := paths[op.path].(obj)
		if item == nil {
			item = obj{}
			paths[op.path] = item
		}
		item[strings.ToLower(op.method)] = g.operation(op)
	}
	return obj{
		"openapi": "3.1.0",
		"info": obj{"title": "coopledger API", "version": "1.0.0", "description": "村集体经济组织与农民专业合作社复式记账 API。" +
			"金额为两位小数的字符串；日期 YYYY-MM-DD；期间 YYYY-MM；账套按代码寻址。认证：Authorization: Bearer <令牌>。" +
			"所有创建或改变状态的 POST 接受 Idempotency-Key（≤ 200 个字符）：相同请求重放原响应并带 Idempotency-Hit: true，" +
			"同一键用于不同请求返回 422。错误统一为 {\"error\": {\"code\", \"message\", \"details\"}}。每个响应带 X-Request-ID。"},
		"security": []obj{{"bearer": []string{}}},
		"paths":    paths,
		"components": obj{
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer", "description": "coopledger token create 或 POST /api/v1/users 发放的令牌"}},
			"schemas":         g.defs,
			"responses": obj{"Error": obj{"description": "错误：code 说明类别，message 为中文说明并指明字段，details 逐字段列出问题",
				"content": obj{echo.MIMEApplicationJSON: obj{"schema": errorSchema}}}},
			"parameters": obj{"IdempotencyKey": obj{"name": httpx.HeaderIdempotencyKey, "in": "header", "required": false,
				"description": "幂等键：重试同一请求时使用同一个键", "schema": obj{"type": "string", "minLength": 1, "maxLength": httpx.MaxIdempotencyKey}}},
			"headers": obj{"IdempotencyHit": obj{"description": "true：本响应是同一幂等键先前响应的重放", "schema": obj{"type": "string", "enum": []string{"true"}}}},
		},
	}
}

func (g *schemaGen) operation(op operation) obj {
	out := obj{"summary": op.summary, "operationId": operationID(op), "responses": g.responses(op)}
	if op.roles != "" {
		out["description"] = "权限：" + op.roles + "。账套不在令牌范围内时返回 404。"
	}
	if op.public {
		out["security"] = []obj{}
	}
	var params []obj
	for _, m := range pathParamPattern.FindAllStringSubmatch(op.path, -1) {
		params = append(params, paramObject(pathParams[m[1]], "path"))
	}
	for _, p := range op.query {
		params = append(params, paramObject(p, "query"))
	}
	if op.method == http.MethodPost {
		params = append(params, ref("parameters", "IdempotencyKey"))
	}
	if params != nil {
		out["parameters"] = params
	}
	switch {
	case op.document:
		out["requestBody"] = documentBody()
	case op.upload != nil:
		out["requestBody"] = uploadBody(op.upload)
	case op.body != nil:
		out["requestBody"] = obj{"required": !op.optionalBody, "content": obj{echo.MIMEApplicationJSON: obj{"schema": g.of(reflect.TypeOf(op.body), true)}}}
	case op.emptyBody:
		out["requestBody"] = obj{"required": false, "description": "无需请求体；如提供，须为空对象 {}",
			"content": obj{echo.MIMEApplicationJSON: obj{"schema": obj{"type": "object", "additionalProperties": false}}}}
	}
	return out
}

func (g *schemaGen) responses(op operation) obj {
	success := obj{"description": http.StatusText(op.status)}
	if op.produces != "" {
		content := obj{op.produces: obj{"schema": obj{"type": "string", "contentMediaType": op.produces}}}
		if op.produces == mimeDocument { // a source document: the type found at upload
			content = obj{}
			for _, m := range []string{"image/jpeg", "image/png", MimePDF} {
				content[m] = obj{"schema": obj{"type": "string", "contentMediaType": m}}
			}
		}
		for _, q := range op.query {
			if q.name == formatParam.name { // format=pdf: the same print as PDF
				content[MimePDF] = obj{"schema": obj{"type": "string", "contentMediaType": MimePDF}}
			}
		}
		success["content"] = content
		success["headers"] = obj{"Content-Disposition": obj{"description": "attachment，文件名含账套、期间或季度",
			"schema": obj{"type": "string"}}}
	}
	if op.result != nil {
		success["content"] = obj{echo.MIMEApplicationJSON: obj{"schema": g.of(reflect.TypeOf(op.result), false)}}
	}
	if op.method == http.MethodPost {
		success["headers"] = obj{httpx.HeaderIdempotencyHit: ref("headers", "IdempotencyHit")}
	}
	out := obj{fmt.Sprint(op.status): success}
	if op.altStatus != 0 {
		out[fmt.Sprint(op.altStatus)] = success
	}
	errStatuses := []int{http.StatusInternalServerError, http.StatusServiceUnavailable}
	if !op.public {
		errStatuses = append(errStatuses, http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
			http.StatusTooManyRequests)
	}
	if op.method != http.MethodGet {
		errStatuses = append(errStatuses, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
	}
	for _, s := range errStatuses {
		out[fmt.Sprint(s)] = ref("responses", "Error")
	}
	if op.page {
		success["headers"] = obj{"Content-Security-Policy": obj{"description": "只允许内嵌样式和 data: 图片", "schema": obj{"type": "string"}}}
		for _, s := range []int{http.StatusNotFound, http.StatusTooManyRequests} {
			out[fmt.Sprint(s)] = obj{"description": http.StatusText(s) + "（HTML 页面）",
				"content": obj{op.produces: obj{"schema": obj{"type": "string", "contentMediaType": op.produces}}}}
		}
	}
	return out
}

// uploadBody is a multipart form with one xlsx file and the given fields.
func uploadBody(fields []param) obj {
	props := obj{"file": obj{"type": "string", "contentMediaType": MimeXLSX, "description": "xlsx 文件，不超过 10 MB"}}
	required := []string{"file"}
	for _, f := range fields {
		props[f.name] = withDescription(f.schema, f.desc)
		if f.required {
			required = append(required, f.name)
		}
	}
	return obj{"required": true, "content": obj{echo.MIMEMultipartForm: obj{"schema": obj{
		"type": "object", "properties": props, "required": required, "additionalProperties": false}}}}
}

// mimeDocument marks a download of a source document (JPEG, PNG or PDF).
const mimeDocument = "application/x-coopledger-document"

// documentBody is a multipart form with one source document.
func documentBody() obj {
	return obj{"required": true, "content": obj{echo.MIMEMultipartForm: obj{"schema": obj{"type": "object",
		"properties": obj{"file": obj{"type": "string", "contentMediaType": "application/octet-stream",
			"description": "JPEG、PNG 或 PDF（按文件开头的字节判断），不超过 10 MB"}},
		"required": []string{"file"}, "additionalProperties": false}}}}
}

func paramObject(p param, in string) obj {
	return obj{"name": p.name, "in": in, "description": p.desc, "required": p.required || in == "path", "schema": p.schema}
}

// operationID is e.g. "post_books_book_vouchers_id_post".
func operationID(op operation) string {
	path := strings.TrimPrefix(op.path, v1)
	path = strings.NewReplacer("{", "", "}", "", "-", "_", ".", "_").Replace(path)
	parts := slices.DeleteFunc(strings.Split(path, "/"), func(s string) bool { return s == "" })
	id := strings.ToLower(op.method) + "_" + strings.Join(parts, "_")
	if !strings.HasPrefix(op.path, v1) {
		id += "_root"
	}
	return id
}

// schemaGen turns Go types into JSON Schemas under components/schemas.
// Request schemas ("in") refuse unknown fields and take amounts as strings or
// numbers; response schemas list every field that is always present.
type schemaGen struct{ defs obj }

var (
	moneyType = reflect.TypeFor[ledger.Money]()

	enums = map[reflect.Type][]string{
		reflect.TypeFor[ledger.BookKind]():        {string(ledger.KindVillage), string(ledger.KindCooperative)},
		reflect.TypeFor[ledger.Role]():            {string(ledger.RoleAdmin), string(ledger.RoleAccountant), string(ledger.RoleTownship), string(ledger.RoleAuditor), string(ledger.RoleCashier), string(ledger.RoleReporter), string(ledger.RoleMember)},
		reflect.TypeFor[ledger.HouseholdStatus](): {string(ledger.StatusFormerlyPoor), string(ledger.StatusMonitored), string(ledger.StatusOrdinary)},
		reflect.TypeFor[ledger.VoucherStatus]():   {string(ledger.StatusDraft), string(ledger.StatusPosted)},
		reflect.TypeFor[ledger.Side]():            {string(ledger.Debit), string(ledger.Credit)},
		reflect.TypeFor[ledger.Aux]():             {string(ledger.AuxNone), string(ledger.AuxHousehold), string(ledger.AuxParty)},
		reflect.TypeFor[ledger.AgreementKind](): {string(ledger.LandRent), string(ledger.ShareDividend), string(ledger.Wage),
			string(ledger.FixedSum), string(ledger.CoopSurplus)},
		reflect.TypeFor[ledger.Category](): {string(ledger.CategoryAsset), string(ledger.CategoryLiability), string(ledger.CategoryEquity),
			string(ledger.CategoryCost), string(ledger.CategoryIncome)},
	}

	// schemaNames names types whose Go names read badly in the document.
	schemaNames = map[reflect.Type]string{
		reflect.TypeFor[httpx.Envelope]():  "Error",
		reflect.TypeFor[httpx.ErrorBody](): "ErrorBody",
		reflect.TypeFor[ledger.Detail]():   "ErrorDetail",
	}

	// requiredInputs lists the fields a request must carry; the ledger names
	// the field in its 400 when one is missing.
	requiredInputs = map[string][]string{
		"NewUser":            {"name", "role"},
		"NewBook":            {"code", "name", "kind", "township"},
		"TownshipInput":      {"code", "name"},
		"NewAccount":         {"code", "name", "parent"},
		"HouseholdRequest":   {"code", "head_name", "id_number", "members", "status"},
		"PartyRequest":       {"code", "name"},
		"VoucherInput":       {"date", "summary", "lines"},
		"LineInput":          {"account"},
		"ReverseInput":       {"date"},
		"ReopenRequest":      {"reason"},
		"SegregationRequest": {"opt_out"},
		"AgreementInput":     {"code", "title", "kind", "party", "start", "terms"},
		"VersionInput":       {"effective_from", "terms"},
		"ParticipantInput":   {"household"},
		"ParcelInput":        {"area_mu", "rate"},
		"DeclarationInput":   {"quarter", "amount"},
		"WorkRecordsRequest": {"records"},
		"WorkRecordRequest":  {"household", "date", "quantity", "unit", "unit_rate"},
		"RunInput":           {"quarter"},
		"PaymentsRequest":    {"payments"},
		"PaymentInput":       {"household", "amount", "date", "method"},
	}

	// fieldSchemas replaces the generated schema of a few fields.
	fieldSchemas = map[string]obj{
		// The totals row of a trial balance is a TrialBalanceRow without a category.
		"TrialBalanceRow.category": {"type": "string", "enum": append(slices.Clone(enums[reflect.TypeFor[ledger.Category]()]), "")},
		"TermsInput.schedule":      {"type": "string", "enum": []string{"quarterly", "yearly"}, "description": "land_rent、fixed_sum：按季（quarterly）或按年在 pay_quarter 支付（yearly）"},
		"TermsInput.pay_quarter":   {"type": "integer", "minimum": 1, "maximum": 4, "description": "按年支付时的支付季度 1–4"},
		"TermsInput.basis":         {"type": "string", "enum": []string{"fixed_rate", "pool"}, "description": "share_dividend：保底收益（fixed_rate，按股值 × 年收益率按季计提）或按股分配申报金额（pool）"},
		"TermsInput.split_by":      {"type": "string", "enum": []string{"equal", "shares", "members"}, "description": "fixed_sum：平均、按股或按人口分配"},
		"PaymentInput.method":      {"type": "string", "enum": []string{ledger.MethodBank, ledger.MethodCash}, "description": "bank：银行/一卡通代发（须填流水号）；cash：现金"},
		"Payment.method":           {"type": "string", "enum": []string{ledger.MethodBank, ledger.MethodCash}},
		"PayoutRun.status":         {"type": "string", "enum": []string{string(ledger.RunDraft), string(ledger.RunApproved)}},
		"PayoutRunSummary.status":  {"type": "string", "enum": []string{string(ledger.RunDraft), string(ledger.RunApproved)}},
	}

	// fieldDocs explains fields whose meaning is not obvious from the name.
	fieldDocs = map[string]string{
		"VoucherPage.next":            "下一页游标：作为 after 传入；空字符串表示没有下一页",
		"HouseholdPage.next":          "下一页游标：作为 after 传入；空字符串表示没有下一页",
		"PartyPage.next":              "下一页游标：作为 after 传入；空字符串表示没有下一页",
		"AuditEntryPage.next":         "下一页游标：作为 after 传入；空字符串表示没有下一页",
		"Voucher.number":              "凭证号，如 记-0007；过账时按月连续编号",
		"Voucher.hash":                "过账后在本账套哈希链中的 SHA-256",
		"Voucher.total":               "借方合计（= 贷方合计）",
		"LineInput.debit":             "借方金额；与 credit 二者必填其一",
		"LineInput.credit":            "贷方金额；与 debit 二者必填其一",
		"LineInput.household":         "农户编号；★ 科目（按农户辅助核算）必填",
		"LineInput.party":             "往来单位编号；按单位辅助核算的科目必填",
		"CreatedUser.token":           "访问令牌，只在创建时显示一次；幂等重放的响应不含令牌",
		"ErrorBody.code":              "invalid 400、unauthorized 401、forbidden/segregation 403、not_found 404、conflict/period_closed/immutable/idempotency_in_progress/idempotency_interrupted 409、too_large 413、unsupported_media_type 415、unbalanced/idempotency_mismatch 422、rate_limited 429、internal 500、timeout/unavailable 503",
		"ErrorBody.message":           "中文说明，指明出错的字段",
		"ErrorDetail.field":           "字段路径，如 lines[1].credit；请求头或查询参数为其名称",
		"AuditEntry.before":           "变更前的内容",
		"AuditEntry.after":            "变更后的内容",
		"TrialBalanceRow.category":    "科目类别；合计行为空字符串",
		"SegregationRequest.opt_out":  "true：本账套允许制单人自行过账（须说明理由）；false：恢复不相容职务分离",
		"AgreementInput.accounts":     "入账科目；不填则按账套类型和协议类型取默认科目",
		"AgreementInput.party":        "对方单位（公司或合作社）编号",
		"AgreementInput.end":          "终止日期（含）；不填表示长期",
		"TermsInput.service_fee_rate": "land_rent：村集体留存的服务费比例，如 0.05",
		"TermsInput.share_value":      "fixed_rate：每股金额（元）",
		"TermsInput.rate":             "fixed_rate：年收益率，如 0.08",
		"TermsInput.yearly_amount":    "fixed_sum：包干年金额",
		"TermsInput.volume_share":     "coop_surplus：按交易量返还的比例，不低于 0.6（农民专业合作社法第四十四条）",
		"TermsInput.participants":     "参与农户及各自条款；wage 协议可不填",
		"ParticipantInput.start":      "中途加入日期；所在季度按天数折算",
		"ParticipantInput.end":        "中途退出日期（含）；所在季度按天数折算",
		"ParticipantInput.shares":     "股数，最多 4 位小数",
		"ParticipantInput.volume":     "coop_surplus：成员交易量（元）",
		"ParcelInput.area_mu":         "面积（亩），大于零，最多 4 位小数",
		"ParcelInput.rate":            "租金标准（元/亩/年），最多 4 位小数",
		"DeclarationInput.quarter":    "季度 YYYYQn；该季度最后一个月已结账或已审批则不能申报",
		"WorkRecordRequest.quantity":  "天数或件数，大于零，最多 4 位小数",
		"WorkRecordRequest.unit":      "单位，如 天、件、斤",
		"WorkRecordRequest.unit_rate": "单价（元/单位），最多 4 位小数",
		"RunInput.quarter":            "季度 YYYYQn",
		"RunInput.adjustment":         "true：调整分配，只计算现应发与已审批计提之间的差额",
		"ApproveInput.date":           "计提凭证日期；不填为季度最后一天",
		"PaymentInput.reference":      "银行流水号；同一账套内不能重复",
		"PayoutRun.rounding_rule":     "本次分配采用的舍入规则",
		"PayoutRun.lines":             "每户每协议一行：应发（amount）、已付（paid）、未付（outstanding）及计算依据（basis）",
		"PayoutRun.households":        "按户合计：应发（entitled）、已付、未付",
		"PayoutRun.by_agreement":      "按协议合计",
		"PayoutRun.by_kind":           "按类别（租金、股金、薪金、包干、盈余返还）合计",
		"PayoutLine.fee":              "land_rent：村集体留存的服务费（不付给农户）",
		"PayoutRunSummary.households": "参与户数",
	}
)

// of returns the schema of t, defining named structs under components.
func (g *schemaGen) of(t reflect.Type, in bool) obj {
	switch {
	case t == moneyType && in:
		return ref("schemas", "AmountInput")
	case t == moneyType:
		return ref("schemas", "Amount")
	case t == httpx.DecimalType && in:
		return ref("schemas", "DecimalInput")
	case t == httpx.DecimalType:
		return ref("schemas", "Decimal")
	case t == httpx.RawMessageType:
		return obj{}
	}
	if values, ok := enums[t]; ok {
		return obj{"type": "string", "enum": values}
	}
	switch t.Kind() {
	case reflect.Pointer:
		if in {
			return obj{"anyOf": []obj{g.of(t.Elem(), in), {"type": "null"}}}
		}
		return g.of(t.Elem(), in)
	case reflect.Struct:
		return ref("schemas", g.define(t, in))
	case reflect.Slice:
		return obj{"type": "array", "items": g.of(t.Elem(), in)}
	case reflect.Map:
		return obj{"type": "object"}
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return obj{"type": "integer"}
	}
	panic("openapi: no schema for " + t.String())
}

// define adds the schema of struct t to components and returns its name.
func (g *schemaGen) define(t reflect.Type, in bool) string {
	name := schemaName(t, in)
	if _, done := g.defs[name]; done {
		return name
	}
	g.defs[name] = obj{} // placeholder against recursion
	props, required := obj{}, []string{}
	for _, f := range reflect.VisibleFields(t) {
		field, ok := httpx.JSONName(f)
		if !ok {
			continue
		}
		s := g.of(f.Type, in)
		if override, ok := fieldSchemas[name+"."+field]; ok {
			s = override
		}
		if doc := fieldDocs[name+"."+field]; doc != "" {
			s = withDescription(s, doc)
		}
		props[field] = s
		if !in && !omittable(f) {
			required = append(required, field)
		}
	}
	if in {
		required = requiredInputs[name]
	}
	s := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	g.defs[name] = s
	return name
}

// withDescription adds a description; a $ref is wrapped so it stays valid.
func withDescription(s obj, doc string) obj {
	if _, isRef := s["$ref"]; isRef {
		return obj{"allOf": []obj{s}, "description": doc}
	}
	out := obj{"description": doc}
	for k, v := range s {
		out[k] = v
	}
	return out
}

func omittable(f reflect.StructField) bool {
	_, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
	return slices.Contains(strings.Split(opts, ","), "omitempty") || slices.Contains(strings.Split(opts, ","), "omitzero")
}

// schemaName names a struct: its Go name, capitalized; httpx.List[T] and httpx.Page[T]
// become TList and TPage; request types that share a name with a response
// type get an Input suffix.
func schemaName(t reflect.Type, in bool) string {
	if n, ok := schemaNames[t]; ok {
		return n
	}
	name := t.Name()
	if base, _, generic := strings.Cut(name, "["); generic {
		items, _ := t.FieldByName("Items")
		return items.Type.Elem().Name() + strings.ToUpper(base[:1]) + base[1:]
	}
	name = strings.ToUpper(name[:1]) + name[1:]
	if in && !strings.HasPrefix(name, "New") && !strings.HasSuffix(name, "Input") &&
		!strings.HasSuffix(name, "Patch") && !strings.HasSuffix(name, "Request") {
		name += "Input"
	}
	return name
}
