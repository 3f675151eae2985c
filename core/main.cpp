// work in progress (lead)
int main() { return 0; }
