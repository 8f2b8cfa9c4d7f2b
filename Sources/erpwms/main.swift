import ERPWMSEngine
print("hi")
