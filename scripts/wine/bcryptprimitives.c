/* Wine 8 has no bcryptprimitives.dll, from which Rust's standard library (1.78 and later)
 * imports ProcessPrng for random numbers. This one-function DLL, placed beside the .exe under
 * Wine only (never shipped), answers it from RtlGenRandom, which Wine has. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
