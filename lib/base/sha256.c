#include "sha256.h"

#include <openssl/evp.h>

void
sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	static const char hex[] = "0123456789abcdef";

	if (EVP_Digest(data, n, md, &len, EVP_sha256(), NULL) != 1 ||
	    len != 32) {
		out[0] = '\0';
		return;
	}
	for (unsigned int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}
