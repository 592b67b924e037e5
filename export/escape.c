/*
 * escape.c - text made safe for each output format (export.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "export.h"
#include "export_int.h"
#include "sbuf.h"
#include "utf8.h"

char *
export_csv_field(const char *s, size_t len)
{
	struct sbuf t = { 0 }, b = { 0 };
	char *txt;
	bool quote;

	if (s && len > 0 && strchr("=+-@\t\r", s[0]))
		sb_putn(&t, "'", 1);	/* a spreadsheet must not run it as a formula */
	utf8_walk(&t, s ? s : "", s ? len : 0, true, sb_putn, "\\");
	if ((txt = sb_take(&t)) == NULL)
		return NULL;
	len = strlen(txt);
	quote = strpbrk(txt, ",\"\r\n") != NULL ||
	    (len > 0 && (txt[0] == ' ' || txt[len - 1] == ' '));
	if (quote)
		sb_putn(&b, "\"", 1);
	for (const char *p = txt; *p; p++) {
		if (*p == '"')
			sb_puts(&b, "\"\"");
		else
			sb_putn(&b, p, 1);
	}
	if (quote)
		sb_putn(&b, "\"", 1);
	free(txt);
	return sb_take(&b);
}

static void
cef_keep_header(struct sbuf *b, const char *s, size_t n)
{
	if (n == 1 && (s[0] == '\\' || s[0] == '|'))
		sb_putn(b, "\\", 1);
	sb_putn(b, s, n);
}

static void
cef_keep_ext(struct sbuf *b, const char *s, size_t n)
{
	if (n == 1 && (s[0] == '\\' || s[0] == '='))
		sb_putn(b, "\\", 1);
	sb_putn(b, s, n);
}

/*
 * CEF (ArcSight "Implementing ArcSight CEF" rev 25): in the header escape
 * "\" and "|"; in extension values escape "\" and "=" and write newlines
 * as "\n" / "\r".  Other control bytes and invalid UTF-8 become the text
 * "\xHH", whose backslash is itself escaped ("\\xHH" on the wire).
 */
char *
export_cef_header(const char *s, size_t len)
{
	struct sbuf b = { 0 };

	utf8_walk(&b, s ? s : "", s ? len : 0, true, cef_keep_header, "\\\\");
	return sb_take(&b);
}

char *
export_cef_ext(const char *s, size_t len)
{
	struct sbuf b = { 0 };
	const char *p = s ? s : "";
	size_t start = 0;

	if (s == NULL)
		len = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && p[i] != '\n' && p[i] != '\r')
			continue;
		utf8_walk(&b, p + start, i - start, true, cef_keep_ext, "\\\\");
		if (i < len)
			sb_puts(&b, p[i] == '\n' ? "\\n" : "\\r");
		start = i + 1;
	}
	return sb_take(&b);
}

void
export_ecs_mac(const char *mac, char out[18])
{
	size_t i;

	for (i = 0; i < 17 && mac && mac[i]; i++)
		out[i] = mac[i] == ':' ? '-' :
		    (mac[i] >= 'a' && mac[i] <= 'f') ? (char)(mac[i] - 'a' + 'A') : mac[i];
	out[i] = '\0';
}

/* The strings of arr joined by sep (malloc'd, NULL on out of memory). */
char *
export_join(json_t *arr, const char *sep)
{
	struct sbuf b = { 0 };
	json_t *it;
	size_t i;

	json_array_foreach(arr, i, it) {
		if (i > 0)
			sb_puts(&b, sep);
		sb_puts(&b, json_string_value(it));
	}
	return sb_take(&b);
}
